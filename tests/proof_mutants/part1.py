"""Mutants of the definitions behind the proofs of chapters 1-4 (issue 11).

Each entry replaces ``old`` (which must occur exactly once in the chapter) by
``new``; executing the chapter from the top through the cell tagged
``proof-<label>`` must then raise AssertionError. The harness is
``tests/test_proof_mutations.py``.
"""

CH01 = "ch01_score_function.md"
CH03 = "ch03_policy_gradient_theorem.md"
CH04 = "ch04_baselines.md"

MUTANTS = [
    # ---- chapter 1: thm-score-function (Gaussian, every degree k) ----------
    dict(label="thm-score-function", chapter=CH01,
         old="    score = sp.diff(sp.log(p), theta_)  # the score: derivative of log p",
         new="    score = sp.diff(p, theta_)  # the score: derivative of log p",
         why="score defined as dp/dtheta: the log is missing"),
    dict(label="thm-score-function", chapter=CH01,
         old="p = sp.exp(-(x - mu) ** 2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)",
         new="p = sp.exp(-(x - mu) ** 2 / (2 * sigma)) / (sp.sqrt(2 * sp.pi) * sigma)",
         why="wrong exponent: sigma instead of sigma^2 in the Gaussian density"),
    dict(label="thm-score-function", chapter=CH01,
         old="p = sp.exp(-(x - mu) ** 2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)",
         new="p = sp.exp(-(x - mu) ** 2 / (2 * sigma**2)) / sp.sqrt(2 * sp.pi)",
         why="normaliser without sigma: the density does not integrate to 1"),
    dict(label="thm-score-function", chapter=CH01,
         old="x_of_z = mu + sigma * z",
         new="x_of_z = mu + z",
         why="change of variables x = mu + z forgets the scale sigma"),
    # ---- chapter 3: lem-ch03-trajectory-score (every horizon T) -----------
    dict(label="lem-ch03-trajectory-score", chapter=CH03,
         old="dynamics_factors = sp.Product(P(s[t + 1], s[t], a[t]), (t, 0, T - 2))",
         new="dynamics_factors = sp.Product(P(s[t + 1], s[t], a[t], theta), (t, 0, T - 2))",
         why="dynamics that depend on theta"),
    dict(label="lem-ch03-trajectory-score", chapter=CH03,
         old="p_tau = rho_0(s[0]) * policy_factors * dynamics_factors",
         new="p_tau = rho_0(s[0], theta) * policy_factors * dynamics_factors",
         why="initial-state distribution that depends on theta"),
    # ---- chapter 3: lem-ch03-pg-step (induction on T) ----------------------
    dict(label="lem-ch03-pg-step", chapter=CH03,
         old="transition = P(s_next, s, a)                      # the dynamics: no theta",
         new="transition = P(s_next, s, a, theta)               # the dynamics: no theta",
         why="dynamics that depend on theta"),
    dict(label="lem-ch03-pg-step", chapter=CH03,
         old="Q_next = r(s, a) + gamma * next_state_sum(V_T)",
         new="Q_next = r(s, a) + next_state_sum(V_T)",
         why="Q recursion without the discount gamma"),
    # ---- chapter 3: lem-ch03-causality -------------------------------------
    dict(label="lem-ch03-causality", chapter=CH03,
         old="step2 = step1.subs(total_probability, 1).doit()",
         new="step2 = step1.subs(total_probability, theta).doit()",
         why="probabilities that sum to theta instead of 1"),
    dict(label="lem-ch03-causality", chapter=CH03,
         old="score = sp.diff(sp.log(policy), theta)",
         new="score = sp.diff(policy, theta)",
         why="score defined as d pi / d theta: the log is missing"),
    # ---- chapter 3: thm-pg-trajectory (both forms, every T) ----------------
    dict(label="thm-pg-trajectory", chapter=CH03,
         old="R_hat_t = sp.Sum(gamma ** (t_prime - t) * r_t[t_prime], (t_prime, t, T - 1))",
         new="R_hat_t = sp.Sum(gamma ** (t_prime - t) * r_t[t], (t_prime, t, T - 1))",
         why="reward-to-go with r_t for r_t'"),
    dict(label="thm-pg-trajectory", chapter=CH03,
         old="R_tau = sp.Sum(gamma**t_prime * r_t[t_prime], (t_prime, 0, T - 1))",
         new="R_tau = sp.Sum(gamma**t_prime * r_t[t_prime], (t_prime, 1, T - 1))",
         why="return that misses the first reward r_0"),
    dict(label="thm-pg-trajectory", chapter=CH03,
         old="transition = P(s_next, s, a)                      # the dynamics: no theta",
         new="transition = P(s_next, s, a, theta)               # the dynamics: no theta",
         why="dynamics that depend on theta"),
    dict(label="thm-pg-trajectory", chapter=CH03,
         old="step2 = step1.subs(total_probability, 1).doit()",
         new="step2 = step1.subs(total_probability, theta).doit()",
         why="probabilities that sum to theta instead of 1"),
    # ---- chapter 3: lem-ch03-bridge (Q, advantage, visitation forms) -------
    dict(label="lem-ch03-bridge", chapter=CH03,
         old="        Q[k + 1] = [[rew[s_, a_] + gam * ahead(V, s_, a_, 0) for a_ in range(A)]",
         new="        Q[k + 1] = [[rew[s_, a_] + ahead(V, s_, a_, 0) for a_ in range(A)]",
         why="Q recursion without the discount gamma"),
    dict(label="lem-ch03-bridge", chapter=CH03,
         old="d_gamma = M.T.LUsolve(rho_q)",
         new="d_gamma = (sp.eye(S) - P_pi).T.LUsolve(rho_q)",
         why="visitation without the discount: rho^T (I - P)^-1"),
    dict(label="lem-ch03-bridge", chapter=CH03,
         old="    [[1 - p_sym[i, j], p_sym[i, j]] for j in range(A)] for i in range(S)",
         new="    [[1 - p_sym[i, j], 2 * p_sym[i, j]] for j in range(A)] for i in range(S)",
         why="transition probabilities that sum to 1 + p, not 1"),
    # ---- chapter 4: thm-baseline-zero-mean ---------------------------------
    dict(label="thm-baseline-zero-mean", chapter=CH04,
         old="step3 = step2.subs(sp.Sum(pi(a, theta), (a, 1, n)), 1).doit()",
         new="step3 = step2.subs(sp.Sum(pi(a, theta), (a, 1, n)), theta).doit()",
         why="probabilities that sum to theta (n symbolic)"),
    dict(label="thm-baseline-zero-mean", chapter=CH04,
         old="    probs = free + [1 - sum(free)]  # the constraint sum_a pi_a = 1",
         new="    probs = free + [theta - sum(free)]  # the constraint sum_a pi_a = 1",
         why="probabilities that sum to theta (n = 2..6)"),
    dict(label="thm-baseline-zero-mean", chapter=CH04,
         old="    partition = sum(sp.exp(zk) for zk in z)",
         new="    partition = 1 + sum(sp.exp(zk) for zk in z)",
         why="softmax whose probabilities do not sum to 1"),
    dict(label="thm-baseline-zero-mean", chapter=CH04,
         old="g_mu = (x - mu) / sigma**2",
         new="g_mu = (x - mu) / sigma",
         why="wrong exponent in the Gaussian score for mu"),
]
