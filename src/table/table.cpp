#include "shardsim/table/table.hpp"

#include "shardsim/util/json_text.hpp"

namespace shardsim::table {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Cell infer_cell(std::string text) {
  if (text == "true" || text == "false") return {Cell::Kind::boolean, std::move(text)};
  if (is_json_number(text)) return {Cell::Kind::number, std::move(text)};
  return {Cell::Kind::string, std::move(text)};
}

std::vector<std::string> table_format_names() { return {"csv", "jsonl"}; }

std::optional<TableFormat> table_format_named(std::string_view name) {
  if (name == "csv") return TableFormat::csv;
  if (name == "jsonl") return TableFormat::jsonl;
  return std::nullopt;
}

void write_table(std::ostream& out, const Table& table, TableFormat format) {
  std::string text;
  auto separator = [&](std::size_t c) {
    if (c > 0) text += ',';
  };
  if (format == TableFormat::csv) {
    for (std::size_t c = 0; c < table.header.size(); ++c) {
      separator(c);
      text += csv_field(table.header[c]);
    }
    text += '\n';
    for (const std::vector<Cell>& row : table.rows) {
      for (std::size_t c = 0; c < row.size(); ++c) {
        separator(c);
        text += csv_field(row[c].text);
      }
      text += '\n';
    }
  } else {
    for (const std::vector<Cell>& row : table.rows) {
      text += '{';
      for (std::size_t c = 0; c < row.size(); ++c) {
        separator(c);
        text += json_string(table.header[c]);
        text += ':';
        text += row[c].kind == Cell::Kind::string ? json_string(row[c].text) : row[c].text;
      }
      text += "}\n";
    }
  }
  out << text;
}

}  // namespace shardsim::table
