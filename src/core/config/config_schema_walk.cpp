// Walking the schema alongside the document: which schema node describes a value, the
// harmless coercions applied before validation, and the schema-driven unknown-key check
// (so the loader and the schema can never disagree about which keys exist).

#include <algorithm>

#include "config_internal.hpp"

namespace coltec::config_detail {
namespace {

const nlohmann::json* resolve(const nlohmann::json& root, const nlohmann::json* node) {
  // A bounded number of hops: a $ref cycle in a custom schema must not hang us.
  for (int hops = 0; node != nullptr && hops < 32; ++hops) {
    if (!node->is_object()) return node;
    const auto ref = node->find("$ref");
    if (ref == node->end() || !ref->is_string()) return node;
    const std::string& text = ref->get_ref<const std::string&>();
    if (!text.starts_with("#")) return nullptr;
    // The common case, "#/definitions/Name", without building a json_pointer.
    if (text.starts_with("#/definitions/") && text.find_first_of("~/", 14) == std::string::npos) {
      const auto defs = root.find("definitions");
      if (defs == root.end() || !defs->is_object()) return nullptr;
      const auto it = defs->find(text.substr(14));
      node = it == defs->end() ? nullptr : &*it;
      continue;
    }
    try {
      const nlohmann::json::json_pointer target(text.substr(1));
      node = root.contains(target) ? &root.at(target) : nullptr;
    } catch (const std::exception&) {
      return nullptr;
    }
  }
  return node;
}

const nlohmann::json* member_schema(const nlohmann::json& root, const nlohmann::json* node,
                                    const std::string& key) {
  node = resolve(root, node);
  if (node == nullptr || !node->is_object()) return nullptr;
  if (const auto props = node->find("properties"); props != node->end() && props->is_object()) {
    if (const auto it = props->find(key); it != props->end()) return resolve(root, &*it);
  }
  const auto extra = node->find("additionalProperties");
  if (extra != node->end() && extra->is_object()) return resolve(root, &*extra);
  return nullptr;
}

const nlohmann::json* item_schema(const nlohmann::json& root, const nlohmann::json* node) {
  node = resolve(root, node);
  if (node == nullptr || !node->is_object()) return nullptr;
  const auto items = node->find("items");
  return items != node->end() && items->is_object() ? resolve(root, &*items) : nullptr;
}

std::vector<std::string> types_of(const nlohmann::json* node) {
  std::vector<std::string> out;
  if (node == nullptr || !node->is_object()) return out;
  const auto type = node->find("type");
  if (type == node->end()) return out;
  if (type->is_string()) out.push_back(type->get<std::string>());
  if (type->is_array()) {
    for (const auto& t : *type) {
      if (t.is_string()) out.push_back(t.get<std::string>());
    }
  }
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

bool is_required(const nlohmann::json* parent, const std::string& key) {
  if (parent == nullptr || !parent->is_object()) return false;
  const auto req = parent->find("required");
  if (req == parent->end() || !req->is_array()) return false;
  return std::any_of(req->begin(), req->end(), [&](const nlohmann::json& k) { return k == key; });
}

struct Normaliser {
  const nlohmann::json& root;
  Document& doc;

  // Scalars become text where the schema takes a string ("version: 1.0", option maps),
  // keeping the text as written ("1.10" stays "1.10").
  void coerce(nlohmann::json& value, const nlohmann::json* schema, const std::string& pointer) {
    if (!(value.is_number() || value.is_boolean()) || !has(types_of(schema), "string")) return;
    const auto it = doc.plain_text.find(pointer);
    value = it != doc.plain_text.end() ? it->second : value.dump();
  }

  void object(nlohmann::json& value, const nlohmann::json* schema, const std::string& pointer) {
    std::vector<std::string> drop;
    for (auto& [key, child] : value.items()) {
      const nlohmann::json* sub = member_schema(root, schema, key);
      const auto types = types_of(sub);
      if (child.is_null() && !types.empty() && !has(types, "null") && !is_required(schema, key)) {
        drop.push_back(key);  // `description:` with nothing after it means "not set"
        continue;
      }
      const std::string child_ptr = child_pointer(pointer, key);
      coerce(child, sub, child_ptr);
      walk(child, sub, child_ptr);
    }
    for (const auto& key : drop) value.erase(key);
  }

  void walk(nlohmann::json& value, const nlohmann::json* schema, const std::string& pointer) {
    schema = resolve(root, schema);
    if (schema == nullptr) return;
    if (value.is_object()) {
      object(value, schema, pointer);
    } else if (value.is_array()) {
      const nlohmann::json* items = item_schema(root, schema);
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string child_ptr = child_pointer(pointer, i);
        coerce(value[i], items, child_ptr);
        walk(value[i], items, child_ptr);
      }
    }
  }
};

// A key is repeated only when it is a word the schema defines or a typo of an allowed one;
// anything else could be a secret pasted where a key belongs (see shown_key).
Issue unknown_key(const std::string& pointer, const std::string& key,
                  const std::vector<std::string>& known) {
  const std::string guess = nearest(key, known);
  const bool shown = showable(key, known);
  std::string message = shown ? "unknown key '" + key + "'" : "unknown key";
  if (!guess.empty())
    return Issue{pointer, message + "; did you mean '" + guess + "'?", true, true};
  if (known.empty()) {
    message += "; no keys are allowed here";
  } else {
    message += "; allowed keys here: ";
    for (std::size_t i = 0; i < known.size(); ++i) message += (i ? ", " : "") + known[i];
  }
  if (!shown) message += " (the key itself is not repeated, in case it is a pasted secret)";
  return Issue{pointer, message, true, shown};
}

struct KeyChecker {
  const nlohmann::json& root;
  std::vector<Issue>& out;

  void object(const nlohmann::json& value, const nlohmann::json* schema,
              const std::string& pointer) {
    const auto props = schema->find("properties");
    const auto extra = schema->find("additionalProperties");
    const bool closed = extra != schema->end() && extra->is_boolean() && !extra->get<bool>() &&
                        !schema->contains("patternProperties");
    std::vector<std::string> known;
    if (props != schema->end() && props->is_object()) {
      for (const auto& [k, v] : props->items()) known.push_back(k);
    }
    for (const auto& [key, child] : value.items()) {
      const std::string child_ptr = child_pointer(pointer, key);
      if (closed && !has(known, key)) {
        out.push_back(unknown_key(child_ptr, key, known));
        continue;
      }
      walk(child, member_schema(root, schema, key), child_ptr);
    }
  }

  void walk(const nlohmann::json& value, const nlohmann::json* schema, const std::string& pointer) {
    schema = resolve(root, schema);
    if (schema == nullptr || !schema->is_object()) return;
    if (value.is_object()) {
      object(value, schema, pointer);
    } else if (value.is_array()) {
      const nlohmann::json* items = item_schema(root, schema);
      for (std::size_t i = 0; i < value.size(); ++i) {
        walk(value[i], items, child_pointer(pointer, i));
      }
    }
  }
};

}  // namespace

const nlohmann::json* schema_for(const nlohmann::json& schema, const nlohmann::json& root,
                                 const std::string& pointer) {
  const nlohmann::json* node = resolve(schema, &schema);
  const nlohmann::json* value = &root;
  for (const auto& token : split_pointer(pointer)) {
    if (node == nullptr || value == nullptr) return nullptr;
    if (value->is_array()) {
      node = item_schema(schema, node);
    } else {
      node = member_schema(schema, node, token);
    }
    value = find_node(*value, child_pointer("", token));
  }
  return node;
}

void normalise(Document& doc, const nlohmann::json& schema) {
  Normaliser n{schema, doc};
  n.walk(doc.root, &schema, "");
}

std::vector<Issue> unknown_keys(const Document& doc, const nlohmann::json& schema) {
  std::vector<Issue> out;
  KeyChecker checker{schema, out};
  checker.walk(doc.root, &schema, "");
  return out;
}

}  // namespace coltec::config_detail
