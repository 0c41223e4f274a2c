// A spec may hold a pasted secret anywhere: misspelled keys, keys in the wrong place, a value
// where a key belongs, a key where a value belongs. Whatever the loader says about it
// (the message, the field path, the formatted line, the JSON line) never repeats the secret;
// what --validate-only prints ends up in CI logs.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <coltec/config.hpp>

namespace coltec {
namespace {

// The shapes real credentials have: AWS access key ID and secret (base64 with / and +), an
// R2 access key (32 hex), an R2 secret (64 hex), a session token, a long number.
const std::vector<std::string> k_secrets = {
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "3f9c2a7b41d08e6f5a9c0b7d2e4f6a81",
    "9d4e1c7a2b8f3e6d0c5a9b7e4f1d2c8a6b3e0f9d7c4a1b8e5f2d6c3a0b9e7f41",
    "FwoGZXIvYXdzEBYaDHqa0AP1g2kL9yJxRyLAAd",
    "12345678901234567890123",
};

std::string everything_said(const LoadResult& r) {
  std::string out;
  for (const auto& p : r.problems) {
    out += format_problem(p, false) + "\n" + format_problem(p, true) + "\n" +
           problem_to_json(p).dump() + "\n" + p.path + "\n" + p.message + "\n";
  }
  return out;
}

// Each spec holds the secret once, as `S`; every one is invalid in its own way (or, where
// noted, valid: a misspelled rclone option is just an option rclone does not use).
const std::vector<std::string> k_specs = {
    // unknown keys: the secret as a key, at the top, in a remote, in a sync entry
    "S: 1\n",
    "persistence:\n  remotes: {r: {type: s3, bucket: b, 'S': x}}\n",
    "persistence:\n  sync: [{name: a, path: /a, remote_path: a, 'S': x}]\n",
    // the secret as an option name, with characters an option name cannot have, or with a
    // value of the wrong kind
    "persistence:\n  remotes: {r: {type: s3, bucket: b, options: {'S': x}}}\n",
    "persistence:\n  remotes: {r: {type: s3, bucket: b, options: {'S': {nested: 1}}}}\n",
    // misplaced keys next to a secret value: outside options, in the remotes map, at the
    // persistence level, in metadata
    "persistence:\n  remotes: {r: {type: s3, bucket: b, secret_access_key: 'S'}}\n",
    "persistence:\n  remotes: {r: {type: s3, bucket: b}, secret_access_key: 'S'}\n",
    "persistence: {secret_access_key: 'S'}\n",
    // One spec on two lines, not a missing comma:
    // NOLINTNEXTLINE(bugprone-suspicious-missing-comma)
    "persistence:\n  remotes:\n    r:\n      type: s3\n      bucket: b\n  options:\n    "
    "access_key_id: 'S'\n",
    // misspelled keys with a secret value (the misspelled option itself is valid)
    "persistence:\n  remotes: {r: {type: s3, bucket: b, option: {secret_acess_key: 'S'}}}\n",
    "persistence:\n  remotes: {r: {type: s3, bucket: b, options: {secret_acess_key: 'S'}}}\n",
    "persistence:\n  remotes: {r: {type: s3, bucket: b, optoins: {secret_access_key: 'S'}}}\n",
    // the secret as a value where a word, a name, a path or a reference belongs
    "persistence:\n  mode: 'S'\n",
    "persistence:\n  sync: [{name: a, path: /a, remote_path: a, direction: 'S'}]\n",
    "persistence:\n  sync: [{name: 'S', path: /a, remote_path: a}]\n",
    "persistence:\n  sync: [{name: 'S/x', path: /a, remote_path: a}]\n",
    "persistence:\n  sync: [{name: a, path: 'S', remote_path: a}]\n",
    "persistence:\n  sync: [{name: a, path: /a, remote_path: '../S'}]\n",
    "persistence:\n  sync: [{name: a, path: /a, remote_path: '{S}'}]\n",
    "persistence:\n  enabled: true\n  mode: replicated\n  remotes: {r: {type: s3, bucket: b}}\n"
    "  sync: [{name: a, path: /a, remote_path: a, remote: 'S'}]\n",
    "persistence:\n  default_remote: 'S'\n  remotes: {r: {type: s3, bucket: b}}\n",
    "persistence:\n  remotes: {r: {type: crypt, wrap_remote: 'S', crypt: {password_env: P}}}\n",
    "persistence:\n  remotes: {r: {type: crypt, wrap_remote: r, crypt: {password_env: 'S'}}}\n",
    "persistence:\n  sync: [{name: a, path: /a, remote_path: a, interval: 'S'}]\n",
    "metadata2: {org: 'S'}\n",
    "networking: {enabled: true, tags: [{k: 'S'}]}\n",
    // the secret as a remote's name (too long to be a name a message repeats)
    "persistence:\n  remotes: {'S': {type: s3}}\n",
    "persistence:\n  remotes: {'S': {type: crypt, wrap_remote: 'S', crypt: {password_env: P}}}\n",
    // duplicate keys, and YAML-level trouble around the secret
    "S: 1\nS: 2\n",
    "persistence:\n  remotes: {r: {type: s3, bucket: b, options: {k: 'S', k: 'S'}}}\n",
    "persistence: [S\n",
    "persistence: *S\n",
    "persistence: !S x\n",
    "persistence:\n  remotes:\n    r:\n      options:\n        secret_access_key:\n"
    "        S\n",
};

std::string with_secret(std::string spec, const std::string& secret) {
  for (auto at = spec.find('S'); at != std::string::npos; at = spec.find('S', at)) {
    const bool alone =
        (at == 0 || !std::isalnum(static_cast<unsigned char>(spec[at - 1]))) &&
        (at + 1 == spec.size() || !std::isalnum(static_cast<unsigned char>(spec[at + 1])));
    if (!alone) {
      ++at;
      continue;
    }
    spec.replace(at, 1, secret);
    at += secret.size();
  }
  return "name: w\nmetadata: {org: o, project: p}\ndevcontainer: {image: {name: img}}\n" + spec;
}

TEST(ConfigSecrets, NoProblemRepeatsASecretWhateverIsMisspelled) {
  for (const auto& secret : k_secrets) {
    std::size_t invalid = 0;
    for (const auto& shape : k_specs) {
      const auto text = with_secret(shape, secret);
      ASSERT_NE(text.find(secret), std::string::npos) << shape;
      const auto full = load_spec_text(text, "t.yaml");
      if (!full.ok()) ++invalid;
      for (const auto& r : {full, check_schema_only(text, "t.yaml", schema_text())}) {
        const auto said = everything_said(r);
        EXPECT_EQ(said.find(secret), std::string::npos) << text << "\n--- said:\n" << said;
        // Not even the first half of it.
        EXPECT_EQ(said.find(secret.substr(0, secret.size() / 2)), std::string::npos)
            << text << "\n--- said:\n"
            << said;
      }
    }
    // The shapes do reach the messages: all but the few valid ones are refused (a misspelled
    // rclone option, an option or sync path named like a key).
    EXPECT_GE(invalid, k_specs.size() - 4) << secret;
  }
}

TEST(ConfigSecrets, TyposAndPlainWordsAreStillNamed) {
  const auto r = load_spec_text(
      "name: w\nmetadata: {org: o, project: p}\npersistence:\n  enabeld: true\n  colour: red\n"
      "  remotes: {r2: {type: s3}}\n  sync: [{name: a, path: /a, remote_path: a, "
      "direction: bidirectonal, remote: r3}]\n",
      "t.yaml");
  const auto said = everything_said(r);
  EXPECT_NE(said.find("unknown key 'enabeld'; did you mean 'enabled'?"), std::string::npos) << said;
  EXPECT_NE(said.find("persistence.colour: unknown key 'colour'"), std::string::npos) << said;
  EXPECT_NE(said.find("persistence.remotes.r2.bucket: remote 'r2' is of type s3"),
            std::string::npos)
      << said;
  EXPECT_NE(said.find("direction is 'bidirectonal', which is not allowed"), std::string::npos)
      << said;
  EXPECT_NE(said.find("'r3', which is not defined; did you mean 'r2'?"), std::string::npos) << said;
}

TEST(ConfigSecrets, AKeyThatCouldBeASecretIsLocatedButNotRepeated) {
  const auto r = load_spec_text(
      "name: w\nmetadata: {org: o, project: p}\ndevcontainer: {image: {name: img}}\npersistence:\n "
      " remotes:\n    r:\n"
      "      type: s3\n"
      "      bucket: b\n      wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY: x\n",
      "t.yaml");
  ASSERT_EQ(r.problems.size(), 1U) << everything_said(r);
  EXPECT_EQ(r.problems[0].path, "persistence.remotes.r.<key>");
  EXPECT_EQ(r.problems[0].line, 9);
  EXPECT_EQ(r.problems[0].column, 7);
  EXPECT_EQ(r.problems[0].message.rfind("unknown key; allowed keys here: bucket, crypt", 0), 0U)
      << r.problems[0].message;
}

}  // namespace
}  // namespace coltec
