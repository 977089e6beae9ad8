#include "shardsim/table/table_file.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "shardsim/util/error.hpp"
#include "shardsim/util/json_text.hpp"

namespace shardsim::table {
namespace {

// One line of JSON lines: a flat object of strings, numbers, booleans and nulls.
class JsonLine {
 public:
  JsonLine(std::string_view text, const std::string& file, int line) : s_(text), file_(file), line_(line) {}

  void parse(std::vector<std::string>& keys, std::vector<std::string>& values) {
    space();
    expect('{');
    space();
    if (peek() == '}') {
      ++i_;
    } else {
      for (;;) {
        space();
        if (peek() != '"') fail("expected a key in double quotes");
        keys.push_back(string());
        space();
        expect(':');
        space();
        values.push_back(value());
        space();
        if (peek() == ',') {
          ++i_;
          continue;
        }
        expect('}');
        break;
      }
    }
    space();
    if (i_ != s_.size()) fail("unexpected text after the object");
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(SourcePos{file_, line_, static_cast<int>(i_ + 1)}, what);
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  std::string string() {
    JsonStringRead read = read_json_string(s_, i_);
    if (!read.error.empty()) fail(read.error);
    return std::move(read.text);
  }
  std::string value() {
    const char c = peek();
    if (c == '"') return string();
    if (c == '{' || c == '[') fail("nested objects and arrays are not table cells");
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ' ' && s_[i_] != '\t') ++i_;
    const std::string_view word = s_.substr(start, i_ - start);
    if (word == "true" || word == "false" || word == "null" || is_json_number(word)) return std::string(word);
    i_ = start;
    fail("expected a string, a number, true, false or null");
  }

  std::string_view s_;
  const std::string& file_;
  int line_;
  std::size_t i_ = 0;
};

void parse_jsonl(std::string_view text, const std::string& file, TableFile& t) {
  int line = 0;
  for (std::size_t start = 0; start < text.size();) {
    ++line;
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::vector<std::string> keys;
    TableFile::Record r;
    r.raw = std::string(raw);
    r.line = line;
    JsonLine(raw, file, line).parse(keys, r.cells);
    if (t.records.empty()) {
      t.header = keys;
    } else if (keys != t.header) {
      throw InputError(SourcePos{file, line, 1},
                       "its keys differ from those of line " + std::to_string(t.records.front().line));
    }
    t.records.push_back(std::move(r));
  }
}

void parse_csv(std::string_view text, const std::string& file, TableFile& t) {
  int line = 1;
  std::size_t i = 0;
  bool have_header = false;
  while (i < text.size()) {
    const std::size_t start = i;
    const int first_line = line;
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') ++line;
          fields.back() += c;
        }
      } else if (c == '"' && fields.back().empty()) {
        quoted = true;
      } else if (c == ',') {
        fields.emplace_back();
      } else if (c == '\n') {
        break;
      } else if (c != '\r' || (i + 1 < text.size() && text[i + 1] != '\n')) {
        fields.back() += c;
      }
    }
    if (quoted) throw InputError(SourcePos{file, first_line, 1}, "a quoted field is not closed");
    std::string_view raw = text.substr(start, i - start);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (i < text.size()) {
      ++i;  // the '\n'
      ++line;
    }
    if (raw.empty()) continue;  // blank line
    if (!have_header) {
      t.header = std::move(fields);
      t.header_raw = std::string(raw);
      have_header = true;
      continue;
    }
    if (fields.size() != t.header.size()) {
      throw InputError(SourcePos{file, first_line, 1}, "has " + std::to_string(fields.size()) +
                                                           " fields, the header " + std::to_string(t.header.size()));
    }
    t.records.push_back({std::move(fields), std::string(raw), first_line});
  }
}

}  // namespace

TableFile parse_table(std::string_view text, const std::string& file) {
  TableFile t;
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return t;
  t.format = text[first] == '{' ? TableFormat::jsonl : TableFormat::csv;
  if (*t.format == TableFormat::jsonl) {
    parse_jsonl(text, file, t);
  } else {
    parse_csv(text, file, t);
  }
  return t;
}

TableFile read_table_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourcePos{path, 0, 0}, "cannot read this file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_table(text.str(), path);
}

}  // namespace shardsim::table
