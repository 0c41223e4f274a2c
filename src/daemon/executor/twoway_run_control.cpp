// The two-way run's steps on the shared control folder `<remote>/.coltec-sync/`: reading it,
// claiming the turn and checking the claim, noting in the baseline that a marker is owed,
// writing the generation, and releasing the claim (see twoway_control.hpp).

#include <algorithm>

#include "twoway_run.hpp"

namespace coltec {

void Executor::TwoWayRun::list_control() {
  exec(build_dir_listing(control_dir(), m_remote_flags, context(), m_ex.m_settings.env),
       "list control folder", m_ex.m_settings.check_timeout, [this](Child& c) {
         if (c.proc.exit_code != 3 && step_failed(c, "looking at the remote")) return;
         const auto state = parse_control(c.entries);  // rc 3: no control folder yet
         const auto& me = m_ex.m_settings.owner_id;
         m_progress.other_claim = whose_turn(state, me, now()) == Turn::other;
         // No claim of ours is live before this run claims: any there is a leftover.
         m_progress.own_leftover_claim = !release_names(state, me, {}).empty();
         m_progress.control = state;
         advance();
       });
}

void Executor::TwoWayRun::claim() {
  m_claim = claim_name(now() + k_claim_seconds, m_ex.m_settings.owner_id);
  m_progress.claimed = true;  // from here every way out removes it
  exec(build_touch(control_dir() + "/" + m_claim, context(), m_ex.m_settings.env),
       "claim the remote path", m_ex.m_settings.check_timeout, [this](Child& c) {
         if (step_failed(c, "claiming the remote path")) return;
         advance();
       });
}

void Executor::TwoWayRun::verify_claim() {
  exec(build_dir_listing(control_dir(), m_remote_flags, context(), m_ex.m_settings.env),
       "check the claim", m_ex.m_settings.check_timeout, [this](Child& c) {
         if (step_failed(c, "checking the claim")) return;
         auto state = parse_control(c.entries);
         m_progress.turn_after_claim = turn_after_claiming(state, m_ex.m_settings.owner_id, now());
         const auto before =
             m_progress.control ? generation_of(*m_progress.control) : m_baseline.generation;
         m_progress.generation_moved_under_claim = generation_of(state) != before;
         m_claim_state = std::move(state);
         advance();
       });
}

void Executor::TwoWayRun::owe_generation() {
  // What the in-memory baseline holds now was confirmed by a step; only its generation is
  // not to be trusted until the run ends.
  auto owing = m_baseline;
  owing.generation = std::string(k_unsettled_generation);
  owing.owes_generation = true;
  // What is about to be sent, so that a run stopped from here on is not taken for another
  // writer's change by the next (adopt_sent).
  owing.sent.clear();
  owing.sent_replaces.clear();
  for (const auto& p : m_uploads) {
    if (const auto l = m_upload_local.find(p); l != m_upload_local.end()) owing.sent[p] = l->second;
    // A listed remote version (often another daemon's, of the same size) is not ours.
    if (const auto r = m_remote.find(p); m_progress.listed && r != m_remote.end()) {
      owing.sent_replaces[p] = r->second;
    }
  }
  const auto& seen = m_claim_state ? m_claim_state : m_progress.control;
  owing.sent_under = seen ? generation_of(*seen) : std::string();
  if (auto written = disk().write_file(baseline_path(), format_baseline(owing)); !written) {
    return fail(RcloneFailure::fatal, "cannot record the sync state: " + written.error().message);
  }
  m_progress.owed_recorded = true;
  advance();
}

void Executor::TwoWayRun::write_generation() {
  // Either the marker an earlier run owes (first, before anything is listed) or this run's.
  const bool owed = m_progress.owes_generation && !m_progress.owed_written;
  const auto name = generation_name(m_ex.m_seams.random_id());
  if (!owed) m_new_generation = name;
  exec(build_touch(control_dir() + "/" + name, context(), m_ex.m_settings.env),
       "write the generation", m_ex.m_settings.check_timeout, [this, owed, name](Child& c) {
         const bool ok = c.proc.exit_code == 0;
         // Without it the others do not know yet: the baseline keeps owing it, the next run
         // writes one first.
         if (!ok) warn("could not write the remote generation marker; written next run");
         if (owed) {
           m_owed_paid = ok;
           if (ok) m_owed_marker = name;
           m_progress.owed_written = true;
         } else {
           m_generation_on_remote = ok;
           m_progress.generation_written = true;
         }
         advance();
       });
}

void Executor::TwoWayRun::release() {
  const auto seen = m_claim_state.value_or(m_progress.control.value_or(ControlState{}));
  auto names =
      release_names(seen, m_ex.m_settings.owner_id,
                    m_generation_on_remote ? seen.generations : std::vector<std::string>{});
  if (!m_claim.empty() && std::find(names.begin(), names.end(), m_claim) == names.end()) {
    names.push_back(m_claim);
  }
  const auto list = write_list("release", names);
  if (names.empty() || list.empty()) {
    m_progress.released = true;
    return advance();
  }
  exec(build_delete_listed(control_dir(), list, context(), m_ex.m_settings.env),
       "release the claim", m_ex.m_settings.check_timeout, [this](Child& c) {
         if (c.proc.exit_code != 0) {
           m_ex.m_log.warn("could not remove our claim on the remote path; it expires by itself",
                           {{"action", m_action.name}, {"minutes", k_claim_seconds / 60}});
         }
         m_progress.released = true;
         advance();
       });
}

}  // namespace coltec
