// Pure safety decisions: empty sources, delete caps, dry-run tallies and trash paths.

#include <algorithm>

#include <nlohmann/json.hpp>

#include <coltec/safety.hpp>

namespace coltec {
namespace {

std::string count_text(std::uint64_t n) {
  return std::to_string(n) + (n == 1 ? " file" : " files");
}

SafetyDecision check_pull(const SourceCheck& c) {
  const bool remote_empty = !c.remote.exists || c.remote.files == 0;
  if (!remote_empty || (c.allow_empty_source && c.remote.exists)) return {Verdict::proceed, ""};
  std::string reason = "the remote " + c.remote_spec + " " +
                       (c.remote.exists ? "holds no files" : "does not exist") + "; ";
  if (c.local.files > 0) {
    reason += "nothing was pulled and no local file was deleted";
  } else {
    reason += "nothing to pull";
  }
  reason +=
      ". That is normal until something is pushed there; otherwise check remote_path for a "
      "typo";
  if (c.local.files > 0 && c.remote.exists) {
    reason += " (--allow-empty-source would mirror the empty remote and delete the local files)";
  }
  return {Verdict::skip, reason};
}

}  // namespace

SafetyDecision check_sources(const SourceCheck& c) {
  if (c.direction == Direction::pull_only) return check_pull(c);
  const bool local_empty = !c.local.exists || c.local.files == 0;
  const bool remote_has = c.remote.exists && c.remote.files > 0;
  if (!local_empty || !remote_has || c.allow_empty_source) return {Verdict::proceed, ""};
  const std::string what = c.local.exists ? "empty" : "missing";
  if (c.startup) {
    return {Verdict::restore_first, "the local folder is " + what + " and the remote holds " +
                                        count_text(c.remote.files) + "; restoring them first"};
  }
  return {Verdict::refuse,
          "the local folder became " + what + " while the remote holds " +
              count_text(c.remote.files) +
              " (unmounted volume or deleted folder?); refusing to mirror it. Restart the "
              "daemon to restore from the remote, or use --allow-empty-source to empty it"};
}

void DryRunTally::add(std::string_view line) {
  if (line.empty() || line.front() != '{') return;
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  const auto skipped = j.find("skipped");
  if (skipped != j.end() && skipped->is_string()) {
    if (*skipped == "delete") {
      ++deletes;
      const auto object = j.find("object");
      if (object != j.end() && object->is_string() &&
          delete_objects.size() < HeldBackDeletes::k_max_named) {
        delete_objects.push_back(object->get<std::string>());
      }
    } else if (*skipped == "copy") {
      ++copies;
      const auto object = j.find("object");
      if (object != j.end() && object->is_string() && copy_objects.size() < k_max_listed) {
        copy_objects.push_back(object->get<std::string>());
      }
    } else {
      ++other;
    }
  }
  const auto stats = j.find("stats");
  if (stats != j.end() && stats->is_object()) {
    const auto c = stats->find("checks");
    if (c != stats->end() && c->is_number_unsigned()) checks = c->get<std::uint64_t>();
  }
}

namespace {

// Every copy is named, there are few of them for the destination's size, and each name
// fits one line of a --files-from-raw list.
bool copies_listable(const DryRunTally& tally) {
  if (tally.other != 0 || tally.copies == 0 || tally.copy_objects.size() != tally.copies ||
      tally.copies * 20 > tally.plan().dest_files) {
    return false;
  }
  // rclone's names print a line break as U+240A; U+FFFD stands for bytes that are not UTF-8,
  // which no list can name (rclone would look for a file called U+FFFD).
  return std::none_of(tally.copy_objects.begin(), tally.copy_objects.end(), [](const auto& name) {
    return name.empty() || name.find_first_of("\r\n") != std::string::npos ||
           name.find("\xEF\xBF\xBD") != std::string::npos;
  });
}

}  // namespace

bool upload_listed_only(const DryRunTally& tally) {
  return tally.deletes == 0 && copies_listable(tally);
}

HeldBackCopy held_back_copy(const DryRunTally& tally, Direction direction) {
  if (tally.copies == 0 && tally.other == 0) return HeldBackCopy::nothing;
  return direction == Direction::push_only && copies_listable(tally) ? HeldBackCopy::listed
                                                                     : HeldBackCopy::full;
}

DeletePlan count_planned_deletes(const std::vector<std::string>& lines) {
  DryRunTally tally;
  for (const auto& line : lines) tally.add(line);
  return tally.plan();
}

SafetyDecision check_delete_cap(const DeletePlan& plan, std::uint32_t max_percent, bool force) {
  if (plan.deletes == 0 || force) return {Verdict::proceed, ""};
  // Compare in integers: deletes / dest > pct / 100  <=>  deletes * 100 > pct * dest.
  if (plan.deletes * 100U <= std::uint64_t{max_percent} * plan.dest_files) {
    return {Verdict::proceed, ""};
  }
  return {Verdict::refuse, "this sync would delete " + count_text(plan.deletes) + " of " +
                               std::to_string(plan.dest_files) + " at the destination, more than " +
                               std::to_string(max_percent) +
                               "%; nothing was deleted. Use --force-deletes to run it anyway, or "
                               "raise persistence.safety.max_delete_percent"};
}

std::string trash_root_for(const Action& action) {
  const auto slash = action.remote_path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "";
  return action.remote_name + ":" + action.remote_path.substr(0, slash) + "/.coltec-trash/" +
         action.name;
}

std::string trash_dir_for(const Action& action, std::string_view stamp) {
  auto root = trash_root_for(action);
  if (root.empty()) return root;
  return root + "/" + std::string(stamp);
}

std::string unmounted_refusal(const std::string& local_path) {
  return "the local folder " + local_path +
         " should be a mounted volume (the spec mounts it) but nothing is mounted there; "
         "refusing to sync an unmounted folder. Use --allow-empty-source to sync anyway";
}

}  // namespace coltec
