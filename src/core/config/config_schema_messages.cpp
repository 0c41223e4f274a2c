// valijson's messages rewritten as sentences about the field: what it is, what is allowed.

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "config_internal.hpp"

namespace coltec::config_detail {
namespace {

// Values are never quoted back, since any of them may be a pasted secret (CI logs keep
// what --validate-only prints); a message says what kind of value sits there instead.
// Short numbers are the exception: a count or a percentage in a bound message.
constexpr std::size_t k_max_number_text = 12;

std::string number_text(const nlohmann::json& v) {
  const std::string text = v.dump();
  return text.size() <= k_max_number_text
             ? text
             : "a number of " + std::to_string(text.size()) + " characters";
}

std::string quoted_word(const nlohmann::json& v) {
  return v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump();
}

std::string kind_of(const nlohmann::json* v) {
  if (v == nullptr || v->is_null()) return "empty";
  if (v->is_string()) {
    const auto& text = v->get_ref<const std::string&>();
    return showable(text) ? "a string ('" + text + "')" : "a string";
  }
  if (v->is_boolean()) return "a boolean (" + v->dump() + ")";
  if (v->is_number_integer() || v->is_number_unsigned())
    return "an integer (" + number_text(*v) + ")";
  if (v->is_number()) return "a number (" + number_text(*v) + ")";
  if (v->is_array()) return "a sequence";
  return "a mapping";
}

std::string type_phrase(const std::string& type) {
  if (type == "object") return "a mapping";
  if (type == "array") return "a sequence";
  if (type == "integer") return "an integer";
  if (type == "boolean") return "true or false";
  if (type == "null") return "empty";
  return "a " + type;
}

std::string expected_types(const nlohmann::json* schema) {
  if (schema == nullptr || !schema->contains("type")) return "another type";
  const auto& type = (*schema)["type"];
  if (type.is_string()) return type_phrase(type.get<std::string>());
  std::string out;
  for (std::size_t i = 0; i < type.size(); ++i) {
    out += (i == 0 ? "" : (i + 1 == type.size() ? " or " : ", ")) +
           type_phrase(type[i].is_string() ? type[i].get<std::string>() : "?");
  }
  return out;
}

// valijson prints bounds with std::to_string(double): "10.000000" → "10".
std::string number_after(const std::string& text, const std::string& prefix) {
  const double d = std::strtod(text.c_str() + prefix.size(), nullptr);
  char buf[32];
  if (std::floor(d) == d && std::fabs(d) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", d);
  } else {
    std::snprintf(buf, sizeof buf, "%g", d);
  }
  return buf;
}

std::string unit_for(const std::string& key) {
  if (key == "interval") return " s";
  if (key == "max_delete_percent") return "%";
  if (key == "trash_retention_days") return " days";
  return "";
}

std::string allowed_values(const nlohmann::json* schema) {
  if (schema == nullptr || !schema->contains("enum")) return "";
  std::string out;
  for (const auto& v : (*schema)["enum"]) out += (out.empty() ? "" : ", ") + quoted_word(v);
  return "; allowed values: " + out;
}

std::string hint(const nlohmann::json* schema) {
  if (schema != nullptr && schema->contains("description") &&
      (*schema)["description"].is_string()) {
    return (*schema)["description"].get<std::string>();
  }
  return "it does not have the allowed form";
}

struct Subject {
  std::string name;  ///< the key, or "this item" inside a sequence
  const nlohmann::json* value = nullptr;
  const nlohmann::json* schema = nullptr;
};

// An enum value close to an allowed one is a typo and safe to repeat ("bidirectonal").
std::string enum_message(const Subject& s) {
  std::vector<std::string> allowed;
  if (s.schema != nullptr && s.schema->contains("enum")) {
    for (const auto& v : (*s.schema)["enum"]) {
      if (v.is_string()) allowed.push_back(v.get<std::string>());
    }
  }
  const bool typo =
      s.value != nullptr && s.value->is_string() && showable(s.value->get<std::string>(), allowed);
  const std::string what =
      typo ? "'" + s.value->get<std::string>() + "'"
           : (s.value != nullptr && s.value->is_string() ? std::string("a value")
                                                         : kind_of(s.value));
  return s.name + " is " + what + ", which is not allowed" + allowed_values(s.schema);
}

std::string bound_message(const std::string& d, const Subject& s, const std::string& unit) {
  const std::string value = s.value == nullptr ? "?" : number_text(*s.value);
  const std::string ge = "Expected number greater than or equal to ";
  const std::string le = "Expected number less than or equal to ";
  const std::string gt = "Expected number greater than ";
  const std::string lt = "Expected number less than ";
  const std::string is = s.name + " is " + value + unit + "; ";
  if (d.starts_with(ge)) return is + "the minimum is " + number_after(d, ge) + unit;
  if (d.starts_with(le)) return is + "the maximum is " + number_after(d, le) + unit;
  if (d.starts_with(gt)) return is + "it must be more than " + number_after(d, gt) + unit;
  return is + "it must be less than " + number_after(d, lt) + unit;
}

}  // namespace

std::string rephrase(const std::string& d, const nlohmann::json& schema, const Document& doc,
                     const std::string& pointer) {
  const auto tokens = split_pointer(pointer);
  const nlohmann::json* value = find_node(doc.root, pointer);
  const nlohmann::json* parent =
      tokens.empty() ? nullptr : find_node(doc.root, pointer.substr(0, pointer.rfind('/')));
  Subject s{tokens.empty() ? "the document" : tokens.back(), value,
            schema_for(schema, doc.root, pointer)};
  if (parent != nullptr && parent->is_array()) {
    s.name = "this item";
  } else if (!tokens.empty() && !shown_key(pointer.substr(0, pointer.rfind('/')), tokens.back())) {
    s.name = "this value";  // its key could be a pasted secret
  }
  const std::string missing = "Missing required property '";
  if (d.starts_with(missing)) {
    const std::string key = d.substr(missing.size(), d.find('\'', missing.size()) - missing.size());
    const std::string where =
        tokens.empty() ? "at the top level" : "in " + display_path(doc.root, pointer);
    return "required key '" + key + "' is missing " + where;
  }
  if (d.starts_with("Value type not permitted")) {
    return s.name + " must be " + expected_types(s.schema) + " but is " + kind_of(value);
  }
  if (d.starts_with("Expected number")) return bound_message(d, s, unit_for(s.name));
  if (d.starts_with("Failed to match against any enum values")) return enum_message(s);
  if (d.starts_with("String should be a valid date-time")) {
    const bool shown =
        value != nullptr && value->is_string() && showable(value->get<std::string>());
    return s.name + (shown ? " is '" + value->get<std::string>() + "', which" : std::string()) +
           " is not an RFC 3339 date-time such as 2026-11-23T12:00:00Z";
  }
  if (d.starts_with("String should be no fewer than 1 characters")) {
    return s.name + " must not be empty";
  }
  if (d.starts_with("Failed to match regex") || d.starts_with("Target should not validate")) {
    const bool shown =
        value != nullptr && value->is_string() && showable(value->get<std::string>());
    return s.name + (shown ? " is '" + value->get<std::string>() + "', which" : std::string()) +
           " does not have the allowed form: " + hint(s.schema);
  }
  return s.name + ": " + d;
}

}  // namespace coltec::config_detail
