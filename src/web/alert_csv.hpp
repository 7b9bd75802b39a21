// alert_csv.hpp
//
// The CSV form of alerts for GET /api/alerts.csv: header line, one line per
// alert, RFC 4180 quoting, and a leading `'` on cells a spreadsheet would
// run as a formula (=, +, -, @). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "alerts/alert.hpp"

namespace fno::web {

std::string alert_csv_header();
// Appends one CRLF-terminated line.
void append_alert_csv(std::string& out, const alerts::Alert& alert);
// One cell, quoted and formula-guarded as needed.
std::string csv_cell(std::string_view text);

}  // namespace fno::web
