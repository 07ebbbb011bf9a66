"""Mutants of the definitions the proofs of chapters 5-11 start from.

Each entry: the label whose proof must fail, the chapter, the exact source text
``old`` (it must occur exactly once) and the mutated text ``new``, and why the
mutant is wrong. Run by ``tests/test_proof_mutations.py``.
"""

MUTANTS = [
    # ch06: thm-kstep-telescoping
    dict(label="thm-kstep-telescoping", chapter="ch06_kstep_telescoping.md",
         old="    return r[j] + γ * V[j + 1] - V[j]",
         new="    return r[j] + γ * V[j + 2] - V[j]",
         why="TD error bootstraps from V(s_{j+2}) instead of V(s_{j+1})"),
    dict(label="thm-kstep-telescoping", chapter="ch06_kstep_telescoping.md",
         old="    return -V[t] + reward_sum(n) + γ**n * V[t + n]",
         new="    return -V[t] + reward_sum(n) + γ**n * V[t + 1]",
         why="telescoped form bootstraps from V(s_{t+1}) instead of V(s_{t+n})"),
    dict(label="thm-kstep-telescoping", chapter="ch06_kstep_telescoping.md",
         old="    return sp.Sum(γ**l * r[t + l], (l, 0, n - 1))",
         new="    return sp.Sum(γ**l * r[t], (l, 0, n - 1))",
         why="r_t for r_{t+l} in the discounted reward sum"),
    # ch07: thm-gae-weighted-average
    dict(label="thm-gae-weighted-average", chapter="ch07_gae.md",
         old="coefficient = (1 - λ) * γ**l * geometric(inner)",
         new="coefficient = γ**l * geometric(inner)",
         why="missing (1 - λ): the weights do not sum to one"),
    dict(label="thm-gae-weighted-average", chapter="ch07_gae.md",
         old="inner = sp.Sum(λ ** (k - 1), (k, l + 1, sp.oo))",
         new="inner = sp.Sum(λ**k, (k, l + 1, sp.oo))",
         why="weight λ^k instead of λ^(k-1) (the average starts at k = 0)"),
    dict(label="thm-gae-weighted-average", chapter="ch07_gae.md",
         old="inner = sp.Sum(λ ** (k - 1), (k, l + 1, sp.oo))",
         new="inner = sp.Sum(λ ** (k - 1), (k, l, sp.oo))",
         why="exchange of summation order over k >= l instead of k > l"),
    # ch07: lem-ch07-finite-episode, lem-ch07-backward
    dict(label="lem-ch07-finite-episode", chapter="ch07_gae.md",
         old="coefficient_finite = (1 - λ) * γ**l * geometric(middle) + λ ** (K - 1) * γ**l",
         new="coefficient_finite = (1 - λ) * γ**l * geometric(middle) + λ**K * γ**l",
         why="tail weight λ^K instead of λ^(K-1)"),
    dict(label="lem-ch07-backward", chapter="ch07_gae.md",
         old='    return f.subs(var, a) + sp.Sum(f, (var, a + 1, b))',
         new='    return f.subs(var, a) + sp.Sum(f, (var, a + 2, b))',
         why="peel_first drops a term"),
    # ch08: thm-gae-lambda-return
    dict(label="thm-gae-lambda-return", chapter="ch08_lambda_return.md",
         old="    return sp.Sum(γ**l * r[l], (l, 0, nn - 1)) + γ**nn * V[nn]",
         new="    return sp.Sum(γ**l * r[l], (l, 0, nn - 1)) + γ**nn * V[1]",
         why="n-step return bootstraps from V(s_{t+1}) instead of V(s_{t+n})"),
    dict(label="thm-gae-lambda-return", chapter="ch08_lambda_return.md",
         old="lambda_return = (1 - λ) * sp.Sum(λ ** (n - 1) * nstep_return(n), (n, 1, sp.oo))",
         new="lambda_return = sp.Sum(λ ** (n - 1) * nstep_return(n), (n, 1, sp.oo))",
         why="missing (1 - λ) in the λ-return"),
    dict(label="thm-gae-lambda-return", chapter="ch08_lambda_return.md",
         old="lambda_return = (1 - λ) * sp.Sum(λ ** (n - 1) * nstep_return(n), (n, 1, sp.oo))",
         new="lambda_return = (1 - λ) * sp.Sum(λ**n * nstep_return(n), (n, 1, sp.oo))",
         why="wrong exponent: weights λ^n instead of λ^(n-1)"),
    dict(label="thm-gae-lambda-return", chapter="ch08_lambda_return.md",
         old="    return sp.Sum(γ**l * r[l], (l, 0, nn - 1)) + γ**nn * V[nn]",
         new="    return sp.Sum(γ**l * r[l], (l, 0, nn - 1)) + γ ** (nn - 1) * V[nn]",
         why="wrong exponent: bootstrap discounted by γ^(n-1)"),
    dict(label="thm-gae-lambda-return", chapter="ch08_lambda_return.md",
         old="    return r[m] + γ * V[m + 1] - V[m]",
         new="    return r[m] + V[m + 1] - V[m]",
         why="TD error without the discount γ"),
    # ch08: lem-ch08-finite
    dict(label="lem-ch08-finite", chapter="ch08_lambda_return.md",
         old="                        + λ ** (K - 1) * nstep_return(K))  # eq-ch08-finite",
         new="                        + λ**K * nstep_return(K))  # eq-ch08-finite",
         why="tail weight λ^K instead of λ^(K-1)"),
    dict(label="lem-ch08-finite", chapter="ch08_lambda_return.md",
         old="gae_finite = sp.Sum((γ * λ) ** l * delta(l), (l, 0, K - 1))",
         new="gae_finite = sp.Sum((γ * λ) ** l * delta(l), (l, 0, K))",
         why="GAE summed one TD error past the episode's end"),
    # ch11: thm-offline-equivalence
    dict(label="thm-offline-equivalence", chapter="ch11_td_lambda.md",
         old="    return sp.Sum(δ[t] * sp.Sum(c ** (t - k) * x[k], (k, 0, t)), (t, 0, T - 1))",
         new="    return sp.Sum(δ[t] * sp.Sum(c ** (t - k + 1) * x[k], (k, 0, t)), (t, 0, T - 1))",
         why="trace decays once too often: c^(t-k+1)"),
    dict(label="thm-offline-equivalence", chapter="ch11_td_lambda.md",
         old="    return sp.Sum(x[k] * sp.Sum(c ** (t - k) * δ[t], (t, k, T - 1)), (k, 0, T - 1))",
         new="    return sp.Sum(x[k] * sp.Sum(c ** (t - k) * δ[t], (t, k + 1, T - 1)), (k, 0, T - 1))",
         why="forward view (GAE) without its own TD error δ_k"),
    # ch10: thm-gamma-just
    dict(label="thm-gamma-just", chapter="ch10_bias_variance.md",
         old="pol = lambda a, s: pp[s] if a == 1 else 1 - pp[s]",
         new="pol = lambda a, s: pp[s] if a == 1 else 2 - pp[s]",
         why="action probabilities that sum to 2"),
    dict(label="thm-gamma-just", chapter="ch10_bias_variance.md",
         old="(Q_hat[s1, a1, s2, a2] - b_past[s0, a0, s1])",
         new="(Q_hat[s1, a1, s2, a2] - b_past[s0, a1, s1])",
         why="baseline that depends on the current action a_t"),
    dict(label="thm-gamma-just", chapter="ch10_bias_variance.md",
         old="score = lambda a, s: dpp[s] / pp[s] if a == 1 else -dpp[s] / (1 - pp[s])",
         new="score = lambda a, s: dpp[s] / pp[s] if a == 1 else dpp[s] / (1 - pp[s])",
         why="score of action 0 with the wrong sign"),
]

MUTANTS += [
    # ch10: lem-ch10-gae-mean, consequences (i) and (ii), for any number of states
    dict(label="lem-ch10-gae-mean", chapter="ch10_bias_variance.md",
         old="    return R_m + γ * P_m * v - E_m * v",
         new="    return R_m + P_m * v - E_m * v",
         why="expected TD error without the discount γ"),
    dict(label="lem-ch10-gae-mean", chapter="ch10_bias_variance.md",
         old="    return Pi_m * Delta(v)",
         new="    return 2 * Pi_m * Delta(v)",
         why="policy probabilities that sum to 2"),
    dict(label="lem-ch10-gae-mean", chapter="ch10_bias_variance.md",
         old="u = V_pi - v_hat",
         new="u = v_hat - V_pi",
         why="critic error with the wrong sign"),
]

MUTANTS += [
    # ch05: lem-ch05-td-bias
    dict(label="lem-ch05-td-bias", chapter="ch05_mc_and_td.md",
         old="E_delta = rbar + γ * sp.Sum(p[i] * (Vpi[i] + e[i]), (i, 1, m)) - critic_s",
         new="E_delta = rbar + sp.Sum(p[i] * (Vpi[i] + e[i]), (i, 1, m)) - critic_s",
         why="TD error without the discount γ"),
    dict(label="lem-ch05-td-bias", chapter="ch05_mc_and_td.md",
         old="sp.Sum(p[i] * (Vpi[i] + e[i]), (i, 1, m))",
         new="sp.Sum(p[i] * (Vpi[i] + e[i + 1]), (i, 1, m))",
         why="the critic's error read at the wrong successor state"),
]

MUTANTS += [
    # ch09: thm-ch09-boundary-error
    dict(label="thm-ch09-boundary-error", chapter="ch09_rollouts.md",
         old="        δ[t + k]: r_u + γ * V_final - V_u,",
         new="        δ[t + k]: r_u + γ * V_next - V_u,",
         why="the correct estimator bootstraps from the next episode's first state"),
    dict(label="thm-ch09-boundary-error", chapter="ch09_rollouts.md",
         old="    A_correct = sp.Sum((γ * λ) ** l * δ[t + l], (l, 0, k))",
         new="    A_correct = sp.Sum(γ**l * δ[t + l], (l, 0, k))",
         why="GAE weights γ^l instead of (γλ)^l"),
]
