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
    const auto known = baseline.files.find(path);
    if (known != baseline.files.end() && !differs(now->second, known->second.remote)) continue;
    baseline.files[path] = {sent, now->second};
    taken.push_back(path);
  }
  baseline.sent.clear();
  baseline.sent_under.clear();
  return taken;
}

}  // namespace coltec
