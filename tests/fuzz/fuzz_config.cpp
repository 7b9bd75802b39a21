// libFuzzer target for config.json parsing: any text must either load or be
// refused with one ConfigError (never another exception, a crash or UB), and
// a configuration that loads must survive its own round trip: to_json() of it
// loads again to the same effective configuration (what /api/settings shows
// and what a settings write persists).
#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fno::app;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadedConfig loaded;
  try {
    loaded = parse_config(text);
  } catch (const ConfigError&) {
    return 0;
  }
  const boost::json::object effective = to_json(loaded.config);
  const std::string saved = boost::json::serialize(effective);
  try {
    if (to_json(parse_config(saved).config) != effective) std::abort();
  } catch (const ConfigError&) {
    std::abort();  // the scanner wrote a config.json it cannot read back
  }
  return 0;
}
