#pragma once
// Private to config: the yaml-cpp event handler that builds the JSON document.

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/emitterstyle.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include "config_internal.hpp"

namespace coltec::config_detail {

/// Text reachable through aliases, at most (the file itself is at most 1 MiB).
inline constexpr std::size_t k_max_expanded_bytes = std::size_t{16} << 20;

/// Thrown by the handler to stop the parser when a limit is passed; caught in parse_yaml.
struct LimitError {
  Loc loc;
  std::string message;
};

/// A YAML-level problem found while building (duplicate key, non-scalar key).
struct RawProblem {
  std::string pointer;
  Loc loc;
  std::string message;
};

/// Nodes and bytes produced so far, shared by every document of one parse.
struct Counters {
  std::size_t nodes = 0;
  std::size_t bytes = 0;
};

/// The JSON value of a scalar: YAML 1.2 core schema for plain scalars, string otherwise.
nlohmann::json resolve_scalar(const std::string& tag, const std::string& value);

/// Builds Document from parser events, one document per instance.
class EventBuilder final : public YAML::EventHandler {
 public:
  EventBuilder(Document& doc, std::vector<RawProblem>& problems, Counters& counters);

  void OnDocumentStart(const YAML::Mark& mark) override;
  void OnDocumentEnd() override;
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override;
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override;
  void OnSequenceEnd() override;
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override;
  void OnMapEnd() override;

  /// True once the document produced a root value.
  bool has_root() const { return m_has_root; }
  /// Where the document started.
  Loc document_start() const { return m_doc_start; }

 private:
  struct Frame {
    nlohmann::json value;
    std::string pointer;
    bool is_map = false;
    bool is_key = false;  ///< a mapping or sequence used as a key (reported, dropped)
    bool silent = false;  ///< inside something dropped: record no locations
    std::optional<std::string> key;
    bool drop_value = false;
    std::vector<nlohmann::json> merges;
    YAML::anchor_t anchor = YAML::NullAnchor;
    Loc loc;
    int height = 1;
    std::size_t nodes_start = 0;
    std::size_t bytes_start = 0;
  };
  struct Anchored {
    nlohmann::json value;
    std::size_t nodes = 0;
    std::size_t bytes = 0;
    int height = 0;
  };

  void count(const YAML::Mark& mark, std::size_t nodes, std::size_t bytes);
  void check_depth(const YAML::Mark& mark, int extra) const;
  bool expecting_key() const;
  bool silent() const;
  std::string next_pointer() const;
  void take_key(const std::string& text, Loc loc);
  void drop_key();
  void place(nlohmann::json value, int height);
  void remember(YAML::anchor_t anchor, const nlohmann::json& value, std::size_t nodes,
                std::size_t bytes, int height);
  void add_scalar(nlohmann::json value, const YAML::Mark& mark, YAML::anchor_t anchor,
                  const std::string& text);
  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool is_map);
  static void apply_merges(Frame& frame);
  void close();

  Document& m_doc;
  std::vector<RawProblem>& m_problems;
  Counters& m_counters;
  std::vector<Frame> m_stack;
  std::unordered_map<YAML::anchor_t, Anchored> m_anchors;
  bool m_has_root = false;
  Loc m_doc_start;
};

}  // namespace coltec::config_detail
