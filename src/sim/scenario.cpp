#include "sim/scenario.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <stdexcept>

#include "dhan/codec.hpp"

namespace fno::sim {

namespace {

constexpr std::array<std::pair<Action, std::string_view>, 11> kActionNames{{
    {Action::kBreakout, "breakout"},
    {Action::kEmaCross, "ema_cross"},
    {Action::kStall, "stall"},
    {Action::kDrop, "drop"},
    {Action::kGarbage, "garbage"},
    {Action::kTruncated, "truncated"},
    {Action::kDisconnect, "disconnect"},
    {Action::kSlow, "slow"},
    {Action::kOversized, "oversized"},
    {Action::kRestSlow, "rest_slow"},
    {Action::kRestLimit, "rest_limit"},
}};

Action action_from(std::string_view name) {
  for (const auto& [action, text] : kActionNames) {
    if (text == name) return action;
  }
  throw std::invalid_argument("scenario: unknown action " + std::string(name));
}

double number(const boost::json::object& o, std::string_view key, double fallback) {
  const auto* v = o.if_contains(key);
  if (!v) return fallback;
  if (!v->is_number()) throw std::invalid_argument("scenario: " + std::string(key) + " must be a number");
  return v->to_number<double>();
}

market::InstrumentKey instrument_of(const boost::json::object& o) {
  const auto* seg = o.if_contains("segment");
  const auto segment = dhan::segment_from_name(seg && seg->is_string() ? std::string_view(seg->get_string()) : "NSE_FNO");
  if (!segment) throw std::invalid_argument("scenario: unknown segment");
  const auto* id = o.if_contains("security_id");
  if (!id) throw std::invalid_argument("scenario: market step needs security_id");
  std::uint32_t security_id = 0;
  if (id->is_string()) {
    security_id = static_cast<std::uint32_t>(std::stoul(std::string(id->get_string())));
  } else if (id->is_number()) {
    security_id = id->to_number<std::uint32_t>();
  } else {
    throw std::invalid_argument("scenario: security_id must be a string or number");
  }
  return {static_cast<std::uint8_t>(*segment), security_id};
}

}  // namespace

std::string_view to_string(Action action) {
  for (const auto& [a, text] : kActionNames) {
    if (a == action) return text;
  }
  return "unknown";
}

Scenario parse_scenario(std::string_view json) {
  boost::system::error_code ec;
  const auto doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("steps") || !doc.at("steps").is_array()) {
    throw std::invalid_argument("scenario: expected {\"steps\": [...]}");
  }
  Scenario scenario;
  for (const auto& item : doc.at("steps").as_array()) {
    if (!item.is_object()) throw std::invalid_argument("scenario: each step must be an object");
    const auto& o = item.as_object();
    const auto* name = o.if_contains("action");
    if (!name || !name->is_string()) throw std::invalid_argument("scenario: step needs an action");
    ScenarioStep step;
    step.action = action_from(std::string_view(name->get_string()));
    step.at = number(o, "at", 0);
    if (step.action == Action::kBreakout || step.action == Action::kEmaCross) step.instrument = instrument_of(o);
    step.volume_multiplier = number(o, "volume_multiplier", step.volume_multiplier);
    step.code = static_cast<std::uint16_t>(number(o, "code", step.code));
    step.duration = number(o, "duration", step.duration);
    step.delay_ms = static_cast<int>(number(o, "delay_ms", step.delay_ms));
    step.rate = number(o, "rate", step.rate);
    scenario.steps.push_back(step);
  }
  return scenario;
}

Scenario demo_scenario(const std::vector<SimInstrument>& universe, std::size_t count, double first, double interval) {
  Scenario scenario;
  if (universe.empty()) return scenario;
  for (std::size_t n = 0; n < count; ++n) {
    ScenarioStep step;
    step.at = first + interval * static_cast<double>(n);
    step.action = (n % 3 == 2) ? Action::kEmaCross : Action::kBreakout;
    // Stride through the universe so consecutive alerts hit different names.
    step.instrument = universe[(n * 7) % universe.size()].key;
    scenario.steps.push_back(step);
  }
  return scenario;
}

double demo_first_step(market::IstSeconds start) {
  const auto into_minute = ((start % 60) + 60) % 60;
  return static_cast<double>(60 - into_minute) + 15.0;
}

}  // namespace fno::sim
