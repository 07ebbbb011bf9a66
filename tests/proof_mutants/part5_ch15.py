"""Mutants of the definitions the proofs of chapter 15 start from (see tests/test_proof_mutations.py)."""

MUTANTS = [
    dict(label="thm-ch15-associative", chapter="ch15_fast_gae.md",
         old="    return (a2_ * a1_, a2_ * b1_ + b2_)",
         new="    return (a2_ * a1_, a2_ * b1_ + b1_)",
         why="the composed offset keeps the first map's b: not the composed map"),
    dict(label="thm-ch15-associative", chapter="ch15_fast_gae.md",
         old="    return b + a * x",
         new="    return b + a * x**2",
         why="a quadratic map: the pair no longer represents it"),
    dict(label="prop-ch15-truncation", chapter="ch15_fast_gae.md",
         old="D * c_**K_ / (1 - c_)",
         new="D * c_**(K_ + 1) / (1 - c_)",
         why="a bound one power of c too small"),
]
