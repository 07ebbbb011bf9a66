"""Mutants of the definitions the proofs of chapter 12 start from.

Each entry: the label whose proof must fail, the chapter, the exact source text
``old`` (it must occur exactly once) and the mutated text ``new``, and why the
mutant is wrong. Run by ``tests/test_proof_mutations.py``.
"""

MUTANTS = [
    # ch12: thm-ch12-cpi-gradient
    dict(label="thm-ch12-cpi-gradient", chapter="ch12_ppo.md",
         old="ρ = sp.Mul(π(a, θ), sp.Pow(π(a, θ_old), -1), evaluate=False)",
         new="ρ = sp.Mul(π(a, θ), sp.Pow(π(a, θ_old), -2), evaluate=False)",
         why="ratio divided by π_old twice: the sampling weight no longer cancels"),
    dict(label="thm-ch12-cpi-gradient", chapter="ch12_ppo.md",
         old="score = sp.diff(sp.log(π(a, θ)), θ).subs(θ, θ_old)",
         new="score = sp.diff(π(a, θ), θ).subs(θ, θ_old)",
         why="∇π in place of ∇log π: the score is missing its 1/π"),
    # ch12: thm-ch12-clip-lower-bound
    dict(label="thm-ch12-clip-lower-bound", chapter="ch12_ppo.md",
         old="    return sp.Min(sp.Max(r, 1 - e), 1 + e)",
         new="    return sp.Min(sp.Max(r, 1 - e), 1 + 2 * e)",
         why="an asymmetric trust region [1 - ε, 1 + 2ε]"),
    dict(label="thm-ch12-clip-lower-bound", chapter="ch12_ppo.md",
         old="    return sp.Min(r * adv, clip(r, e) * adv)",
         new="    return sp.Max(r * adv, clip(r, e) * adv)",
         why="max instead of min: the objective becomes an upper bound"),
    # ch12: thm-ch12-clip-gradient-zero
    dict(label="thm-ch12-clip-gradient-zero", chapter="ch12_ppo.md",
         old='    "below": ({ρ: 1 - ε - d}, {d: 1 - ε - ρ}),',
         new='    "below": ({ρ: 1 - ε - d}, {d: ρ - 1 + ε}),',
         why="the way back to ρ from the region below has the wrong sign"),
    dict(label="thm-ch12-clip-gradient-zero", chapter="ch12_ppo.md",
         old='BITES = {("A > 0", "above"), ("A < 0", "below")}',
         new='BITES = {("A > 0", "above"), ("A < 0", "above")}',
         why="claims the clip bites above the region for a negative advantage"),
    # ch12: lem-ch12-printed-exponent
    dict(label="lem-ch12-printed-exponent", chapter="ch12_ppo.md",
         old="meant = lambda t: γλ ** (T_ - t - 1)  # noqa: E731",
         new="meant = lambda t: γλ ** (T_ - t)  # noqa: E731",
         why="exponent T - t: passes the recursion, fails the start A_{T-1} = δ_{T-1}"),
    dict(label="lem-ch12-printed-exponent", chapter="ch12_ppo.md",
         old="printed = lambda t: γλ ** (T_ - t + 1)  # noqa: E731",
         new="printed = lambda t: γλ ** (T_ + t + 1)  # noqa: E731",
         why="a sign slip in the exponent breaks even the recursion"),
]
