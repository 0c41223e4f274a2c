// What a stopped run had sent, taken as recorded when the remote shows nothing else happened.

#include <algorithm>

#include <coltec/twoway_flow.hpp>

namespace coltec {

std::vector<std::string> adopt_sent(Baseline& baseline, const Listing& remote,
                                    const ControlState& control, const std::string& own_marker) {
  std::vector<std::string> taken;
  auto others = control;
  std::erase(others.generations, own_marker);
  // Another daemon's run since then may have written a file of the same size: then only a
  // comparison can tell whose it is.
  const bool nobody_since = generation_of(others) == baseline.sent_under;
  for (const auto& [path, sent] : baseline.sent) {
    const auto now = remote.find(path);
    if (!nobody_since || now == remote.end() || now->second.size != sent.size) continue;
    // The version the upload was to replace: as the stopped run listed it, else (a run that
    // sent without listing, or a journal from before that was recorded) the baseline's. A
    // remote still holding it did not get ours, whatever its size.
    const FileState* replaced = nullptr;
    if (const auto r = baseline.sent_replaces.find(path); r != baseline.sent_replaces.end()) {
      replaced = &r->second;
    } else if (const auto known = baseline.files.find(path); known != baseline.files.end()) {
      replaced = &known->second.remote;
    }
    if (replaced != nullptr && !differs(now->second, *replaced)) continue;
    baseline.files[path] = {sent, now->second};
    taken.push_back(path);
  }
  baseline.sent.clear();
  baseline.sent_replaces.clear();
  baseline.sent_under.clear();
  return taken;
}

}  // namespace coltec
