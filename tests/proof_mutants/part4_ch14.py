"""Mutants of the definitions the proofs of chapter 14 start from.

Each entry: the label whose proof must fail, the chapter, the exact source text
``old`` (it must occur exactly once) and the mutated text ``new``, and why the
mutant is wrong. Run by ``tests/test_proof_mutations.py``.
"""

MUTANTS = [
    # ch14: thm-ch14-credit
    dict(label="thm-ch14-credit", chapter="ch14_language_models.md",
         old="coef_V = λ ** (j - 1) * (+1) + λ**j * (-1)",
         new="coef_V = λ ** (j - 1) * (+1) + λ ** (j + 1) * (-1)",
         why="V_{t+j} taken from δ_{t+j+1} instead of δ_{t+j}: weights no longer (1-λ)λ^(j-1)"),
    dict(label="thm-ch14-credit", chapter="ch14_language_models.md",
         old="    deltas = [V[i + 1] - V[i] for i in range(dd)] + [R - V[dd]]",
         new="    deltas = [V[i + 1] - V[i] for i in range(dd)] + [R + V[dd] - V[dd]]",
         why="the end token bootstraps (truncation) instead of terminating with V_T = 0"),
    # ch14: thm-ch14-rloo-unbiased
    dict(label="thm-ch14-rloo-unbiased", chapter="ch14_language_models.md",
         old="w_self, w_other = sp.Integer(0), 1 / (G - 1)",
         new="w_self, w_other = 1 / G, 1 / G",
         why="the group mean includes the sample itself (Dr. GRPO): E = (1 - 1/G) ∇J"),
    dict(label="thm-ch14-rloo-unbiased", chapter="ch14_language_models.md",
         old="score = [[sp.diff(sp.log(prob[y]), zk) for zk in z] for y in range(n_resp)]",
         new="score = [[sp.diff(prob[y], zk) for zk in z] for y in range(n_resp)]",
         why="∇π in place of ∇log π: the log-derivative trick is gone"),
]
