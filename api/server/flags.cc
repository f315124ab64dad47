#include "api/server/flags.h"

#include <cstdlib>

namespace stela::api {

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string Flags::EnvName(std::string_view name) {
  std::string out = "STELA_";
  for (char c : name) {
    out.push_back(c == '-' ? '_' : (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

StatusOr<Flags> Flags::Parse(std::span<const std::string> args, std::span<const FlagSpec> specs,
                             EnvLookup env) {
  Flags flags;
  flags.env_ = std::move(env);
  auto find = [&](std::string_view name) -> const FlagSpec* {
    for (const FlagSpec& s : specs) {
      if (s.name == name) return &s;
    }
    return nullptr;
  };
  bool only_positional = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positional || a.size() < 3 || a.compare(0, 2, "--") != 0) {
      if (a == "--") {
        only_positional = true;
        continue;
      }
      flags.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const FlagSpec* spec = find(name);
    if (spec == nullptr) return Status::InvalidArgument("unknown flag [--" + name + "]");
    if (spec->takes_value) {
      if (!value) {
        if (i + 1 >= args.size()) {
          return Status::InvalidArgument("flag [--" + name + "] needs a value");
        }
        value = args[++i];
      }
    } else if (value) {
      return Status::InvalidArgument("flag [--" + name + "] takes no value");
    } else {
      value = "true";
    }
    flags.values_[name] = *value;
  }
  return flags;
}

std::optional<std::string> Flags::Get(std::string_view name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  if (env_) return env_(EnvName(name));
  return std::nullopt;
}

bool Flags::IsSet(std::string_view name) const {
  std::optional<std::string> v = Get(name);
  return v && (*v == "true" || *v == "1");
}

std::string FlagsHelp(std::span<const FlagSpec> specs) {
  std::string out;
  for (const FlagSpec& s : specs) {
    std::string left = "  --" + std::string(s.name) + (s.takes_value ? " VALUE" : "");
    if (left.size() < 26) left.resize(26, ' ');
    out += left + std::string(s.help) + " (env " + Flags::EnvName(s.name) + ")\n";
  }
  return out;
}

}  // namespace stela::api
