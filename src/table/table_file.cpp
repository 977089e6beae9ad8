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
  unsigned hex4() {
    if (i_ + 4 > s_.size()) fail("bad \\u escape");
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + 4, v, 16);
    if (ec != std::errc() || end != s_.data() + i_ + 4) fail("bad \\u escape");
    i_ += 4;
    return v;
  }
  std::string string() {
    ++i_;  // the opening quote
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated string");
      switch (const char e = s_[i_++]) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
            i_ += 2;
            const unsigned low = hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: fail(std::string("bad escape \\") + e);
      }
    }
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
