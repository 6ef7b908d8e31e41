//! Choosing a round's program by agreement, and deciding whether it passed.
//!
//! Candidates that ran cleanly and agree (the same output, the same checks passed) form a
//! cluster; a cluster scores its size times one plus the checks it passes, as CodeT's dual
//! agreement does. Generated checks are often wrong, so none is trusted alone: one that no
//! candidate passes is unconfirmed and ignored, and one that the best cluster fails while that
//! cluster is the majority and passes every other check is outvoted. Checks from the
//! requirement are always trusted. When no trusted check is left, candidates that all agree
//! (at least three clean ones, sampled independently, and no clean dissenter) decide by self-consistency;
//! otherwise the judge decides.

use super::{Check, CheckOrigin, CheckStatus, Trial};

/// Fewest clean candidates whose unanimous output decides when no check applies.
pub const UNANIMOUS_CANDIDATES: usize = 3;

/// How the round's chosen program fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// It passed every trusted check (`passed` of them).
    Passed { passed: usize },
    /// It failed trusted check `check` (an index into the checks) with `message`.
    Failed { check: usize, message: String },
    /// No check applies, and every clean candidate, at least [`UNANIMOUS_CANDIDATES`] of
    /// them sampled independently, printed the same: self-consistency decides.
    Unanimous { candidates: usize },
    /// No candidate ran cleanly; the chosen one is the first (the greedy answer).
    NoCleanRun,
    /// No check applies: the judge decides on the chosen program's output.
    JudgeDecides,
}

/// The outcome of choosing among a round's trials.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Index of the chosen trial.
    pub chosen: usize,
    /// Per trial, how many candidates agree with it (itself included; 0 for unclean runs).
    pub agreement: Vec<u32>,
    /// Per check, whether success required it this round.
    pub trusted: Vec<bool>,
    pub decision: Decision,
    /// How good the chosen program is, for telling whether a round improved on the last:
    /// (ran cleanly, requirement checks passed, checks passed).
    pub quality: (bool, usize, usize),
}

fn is_clean(trial: &Trial) -> bool {
    trial.execution.exit_code == 0 && !trial.execution.timed_out
}

fn passes(trial: &Trial, check: usize) -> bool {
    trial.checks.get(check) == Some(&CheckStatus::Passed)
}

/// One group of agreeing clean candidates.
struct Cluster {
    members: Vec<usize>,
    passed: Vec<bool>,
}

impl Cluster {
    fn size(&self) -> usize {
        self.members.len()
    }
}

/// Chooses the round's program from `trials` (one per candidate, in the coder's order: the
/// first is the greedy answer) and decides whether it passed `checks`.
pub fn select(checks: &[Check], trials: &[Trial]) -> Selection {
    let clean: Vec<usize> = (0..trials.len())
        .filter(|i| is_clean(&trials[*i]))
        .collect();
    let is_requirement = |check: usize| checks[check].origin == CheckOrigin::Requirement;
    let count_requirement = |trial: &Trial| {
        (0..checks.len())
            .filter(|c| is_requirement(*c) && passes(trial, *c))
            .count()
    };
    let quality_of = |trial: &Trial| {
        (
            is_clean(trial),
            count_requirement(trial),
            (0..checks.len()).filter(|c| passes(trial, *c)).count(),
        )
    };
    if clean.is_empty() {
        return Selection {
            chosen: 0,
            agreement: vec![0; trials.len()],
            trusted: vec![false; checks.len()],
            decision: Decision::NoCleanRun,
            quality: trials.first().map_or((false, 0, 0), quality_of),
        };
    }
    let confirmed: Vec<bool> = (0..checks.len())
        .map(|c| is_requirement(c) || clean.iter().any(|i| passes(&trials[*i], c)))
        .collect();

    let mut clusters: Vec<Cluster> = Vec::new();
    for &index in &clean {
        let passed: Vec<bool> = (0..checks.len())
            .map(|c| passes(&trials[index], c))
            .collect();
        let output = trials[index].execution.stdout.trim();
        match clusters.iter_mut().find(|cluster| {
            cluster.passed == passed && trials[cluster.members[0]].execution.stdout.trim() == output
        }) {
            Some(cluster) => cluster.members.push(index),
            None => clusters.push(Cluster {
                members: vec![index],
                passed,
            }),
        }
    }
    let passed_confirmed = |cluster: &Cluster| {
        (0..checks.len())
            .filter(|c| confirmed[*c] && cluster.passed[*c])
            .count()
    };
    let requirement_passed = |cluster: &Cluster| {
        (0..checks.len())
            .filter(|c| is_requirement(*c) && cluster.passed[*c])
            .count()
    };
    // Best first: the requirement's own examples, then agreement, then the greedy answer's
    // cluster, then the coder's order.
    clusters.sort_by_key(|cluster| {
        (
            std::cmp::Reverse(requirement_passed(cluster)),
            std::cmp::Reverse(cluster.size() * (1 + passed_confirmed(cluster))),
            cluster.members[0],
        )
    });

    let best = &clusters[0];
    let trusted: Vec<bool> = (0..checks.len())
        .map(|c| confirmed[c] && !outvoted(c, best, &confirmed, checks, clean.len()))
        .collect();
    let mut agreement = vec![0u32; trials.len()];
    for cluster in &clusters {
        for &member in &cluster.members {
            agreement[member] = u32::try_from(cluster.size()).unwrap_or(u32::MAX);
        }
    }
    let passes_trusted =
        |cluster: &Cluster| (0..checks.len()).all(|c| !trusted[c] || cluster.passed[c]);
    let trusted_count = trusted.iter().filter(|t| **t).count();
    let (chosen, decision) = if trusted_count == 0 {
        // Every clean candidate agrees; a crash casts no vote on the output.
        if clusters.len() == 1 && best.size() >= UNANIMOUS_CANDIDATES {
            (
                best.members[0],
                Decision::Unanimous {
                    candidates: best.size(),
                },
            )
        } else {
            (best.members[0], Decision::JudgeDecides)
        }
    } else if let Some(cluster) = clusters.iter().find(|cluster| passes_trusted(cluster)) {
        (
            cluster.members[0],
            Decision::Passed {
                passed: trusted_count,
            },
        )
    } else {
        let chosen = best.members[0];
        let check = (0..checks.len())
            .find(|c| trusted[*c] && !best.passed[*c])
            .unwrap_or(0);
        let message = trials[chosen]
            .messages
            .get(check)
            .cloned()
            .unwrap_or_default();
        (chosen, Decision::Failed { check, message })
    };
    Selection {
        chosen,
        agreement,
        trusted,
        decision,
        quality: quality_of(&trials[chosen]),
    }
}

/// A generated check that the best cluster fails although that cluster is the majority of
/// the clean candidates and passes every other confirmed check (at least one): the check is
/// more likely wrong than the program.
fn outvoted(
    check: usize,
    best: &Cluster,
    confirmed: &[bool],
    checks: &[Check],
    clean: usize,
) -> bool {
    if checks[check].origin == CheckOrigin::Requirement || best.passed[check] {
        return false;
    }
    let others: Vec<usize> = (0..checks.len())
        .filter(|c| *c != check && confirmed[*c])
        .collect();
    !others.is_empty() && others.iter().all(|c| best.passed[*c]) && best.size() * 2 > clean
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::Execution;

    fn check(code: &str, origin: CheckOrigin) -> Check {
        Check {
            code: code.to_owned(),
            origin,
        }
    }

    fn trial(stdout: &str, exit_code: i32, statuses: &[CheckStatus]) -> Trial {
        Trial {
            code: format!("print({stdout:?})"),
            execution: Execution {
                success: exit_code == 0,
                exit_code,
                stdout: stdout.to_owned(),
                stderr: String::new(),
                timed_out: false,
                duration_ms: 1,
            },
            checks: statuses.to_vec(),
            messages: statuses
                .iter()
                .map(|status| match status {
                    CheckStatus::Passed => String::new(),
                    _ => "AssertionError: no".to_owned(),
                })
                .collect(),
            agreement: 0,
            chosen: false,
        }
    }

    use CheckStatus::{Error as E, Failed as F, Passed as P};

    #[test]
    fn a_wrong_candidate_the_judge_would_pass_is_rejected_by_a_check() {
        let checks = [check("assert '2550' in OUTPUT", CheckOrigin::Generated)];
        let trials = [trial("2500", 0, &[F]), trial("2550", 0, &[P])];
        let selection = select(&checks, &trials);
        assert_eq!(selection.chosen, 1);
        assert_eq!(selection.decision, Decision::Passed { passed: 1 });
    }

    #[test]
    fn a_lone_wrong_candidate_fails_a_requirement_check() {
        let checks = [check(
            "_aucoder_expect(lambda: (f(3)), '9')",
            CheckOrigin::Requirement,
        )];
        let selection = select(&checks, &[trial("ok", 0, &[F])]);
        assert!(matches!(
            selection.decision,
            Decision::Failed { check: 0, .. }
        ));
    }

    #[test]
    fn agreement_picks_the_majority_over_a_lone_outlier() {
        let checks = [
            check("assert 'a' in OUTPUT", CheckOrigin::Generated),
            check("assert 'b' in OUTPUT", CheckOrigin::Generated),
        ];
        // The outlier passes one more (wrong) check, but three agree on the other.
        let trials = [
            trial("outlier", 0, &[P, P]),
            trial("right", 0, &[P, F]),
            trial("right", 0, &[P, F]),
            trial("right", 0, &[P, F]),
        ];
        let selection = select(&checks, &trials);
        assert_eq!(selection.chosen, 1);
        assert_eq!(selection.agreement, vec![1, 3, 3, 3]);
        // The check only the outlier passes is outvoted, so the majority passes.
        assert_eq!(selection.trusted, vec![true, false]);
        assert_eq!(selection.decision, Decision::Passed { passed: 1 });
    }

    #[test]
    fn a_wrong_generated_check_does_not_reject_what_everything_else_agrees_on() {
        let checks = [
            check("assert f(2) == 4", CheckOrigin::Generated),
            check("assert f(3) == 9", CheckOrigin::Generated),
            check("assert f(4) == 15", CheckOrigin::Generated),
        ];
        let trials = [trial("16", 0, &[P, P, F]), trial("16", 0, &[P, P, F])];
        let selection = select(&checks, &trials);
        assert_eq!(selection.trusted, vec![true, true, false]);
        assert_eq!(selection.decision, Decision::Passed { passed: 2 });
    }

    #[test]
    fn an_unconfirmed_check_leaves_the_decision_to_the_judge() {
        let checks = [check("assert g() == 1", CheckOrigin::Generated)];
        let trials = [trial("x", 0, &[E]), trial("x", 0, &[E])];
        let selection = select(&checks, &trials);
        assert_eq!(selection.decision, Decision::JudgeDecides);
        assert_eq!(selection.agreement, vec![2, 2]);
    }

    #[test]
    fn unanimous_independent_candidates_decide_when_no_check_applies() {
        let three = [
            trial("30", 0, &[]),
            trial("30", 0, &[]),
            trial("30", 0, &[]),
        ];
        assert_eq!(
            select(&[], &three).decision,
            Decision::Unanimous { candidates: 3 }
        );
        // Two are too few, and one dissenter or one crash is enough to ask the judge.
        let two = [trial("30", 0, &[]), trial("30", 0, &[])];
        assert_eq!(select(&[], &two).decision, Decision::JudgeDecides);
        let split = [
            trial("30", 0, &[]),
            trial("30", 0, &[]),
            trial("30", 0, &[]),
            trial("31", 0, &[]),
        ];
        assert_eq!(select(&[], &split).decision, Decision::JudgeDecides);
        // A crash casts no vote on the output.
        let crashed = [
            trial("30", 0, &[]),
            trial("30", 0, &[]),
            trial("30", 0, &[]),
            trial("", 1, &[]),
        ];
        assert_eq!(
            select(&[], &crashed).decision,
            Decision::Unanimous { candidates: 3 }
        );
    }

    #[test]
    fn without_checks_the_most_common_output_wins() {
        let trials = [trial("a", 0, &[]), trial("b", 0, &[]), trial("b", 0, &[])];
        let selection = select(&[], &trials);
        assert_eq!(selection.chosen, 1);
        assert_eq!(selection.decision, Decision::JudgeDecides);
    }

    #[test]
    fn crashed_candidates_are_never_chosen_over_a_clean_one() {
        let trials = [trial("", 1, &[]), trial("fine", 0, &[])];
        assert_eq!(select(&[], &trials).chosen, 1);
        let all_crashed = select(&[], &[trial("", 1, &[]), trial("", 2, &[])]);
        assert_eq!(all_crashed.decision, Decision::NoCleanRun);
        assert_eq!(all_crashed.chosen, 0);
    }
}
