// parse_table and read_table_file: tables read back with each record's text kept, errors at file:line:column.

#include <catch2/catch.hpp>
#include <sstream>

#include "shardsim/table/table_file.hpp"
#include "temp_dir.hpp"

using namespace shardsim;
using namespace shardsim::table;
using shardsim::testing::check_error;
using shardsim::testing::input_error;

TEST_CASE("table file: what write_table wrote reads back, cells unquoted and records as written") {
  const Table t{{"point", "name", "x"},
                {{{Cell::Kind::number, "0"}, {Cell::Kind::string, "a,\"b\"\nc"}, {Cell::Kind::number, "1.5"}},
                 {{Cell::Kind::number, "1"}, {Cell::Kind::string, "tab\there"}, {Cell::Kind::boolean, "true"}}}};
  for (TableFormat format : {TableFormat::csv, TableFormat::jsonl}) {
    INFO((format == TableFormat::csv ? "csv" : "jsonl"));
    std::ostringstream out;
    write_table(out, t, format);
    const TableFile f = parse_table(out.str(), "t");
    REQUIRE(f.format == format);
    CHECK(f.header == t.header);
    REQUIRE(f.records.size() == 2);
    CHECK(f.records[0].cells == std::vector<std::string>{"0", "a,\"b\"\nc", "1.5"});
    CHECK(f.records[1].cells == std::vector<std::string>{"1", "tab\there", "true"});
    // The raw records joined by line ends (after the CSV header) are the text written.
    const std::string header = format == TableFormat::csv ? f.header_raw + "\n" : "";
    CHECK(header + f.records[0].raw + "\n" + f.records[1].raw + "\n" == out.str());
    // CSV: the header is line 1, record 0 spans lines 2-3 (its quoted line feed), so record 1 starts on line 4.
    // JSON lines: one record per line.
    CHECK(f.records[0].line == (format == TableFormat::csv ? 2 : 1));
    CHECK(f.records[1].line == (format == TableFormat::csv ? 4 : 2));
  }
}

TEST_CASE("table file: JSON escapes are decoded, \\u escapes to UTF-8 (surrogate pairs joined)") {
  // U+00E9 is the two UTF-8 bytes C3 A9; U+1F600 (the pair D83D DE00) is the four bytes F0 9F 98 80.
  const TableFile f = parse_table(
      "{\"point\": 0, \"s\": \"\\u00e9\\ud83d\\ude00 \\/\\b\\f\\\"\", \"n\": null, \"b\": false, \"x\": -1.5e3}\n",
      "t");
  REQUIRE(f.records.size() == 1);
  CHECK(f.header == std::vector<std::string>{"point", "s", "n", "b", "x"});
  CHECK(f.records[0].cells ==
        std::vector<std::string>{"0", "\xc3\xa9\xf0\x9f\x98\x80 /\b\f\"", "null", "false", "-1.5e3"});
}

TEST_CASE("table file: blank lines are skipped, CRLF line ends accepted, an empty text has no format") {
  const TableFile csv = parse_table("point,x\r\n\r\n0,5\r\n", "t.csv");
  REQUIRE(csv.records.size() == 1);
  CHECK(csv.header_raw == "point,x");
  CHECK(csv.records[0].raw == "0,5");
  CHECK(csv.records[0].line == 3);
  const TableFile jsonl = parse_table("\n{\"point\":0}\r\n  \n{\"point\":1}", "t.jsonl");
  REQUIRE(jsonl.records.size() == 2);
  CHECK(jsonl.records[1].line == 4);
  CHECK(jsonl.records[1].raw == "{\"point\":1}");
  CHECK_FALSE(parse_table(" \n\r\n", "t").format.has_value());
}

TEST_CASE("table file: malformed tables are InputErrors at file:line:column") {
  check_error(input_error([] { parse_table("point,x,y\n0,1,2\n1,2\n", "f.csv"); }), "f.csv", 3, 1,
              {"has 2 fields, the header 3"});
  check_error(input_error([] { parse_table("point,x\n0,\"open\n", "f.csv"); }), "f.csv", 2, 1,
              {"a quoted field is not closed"});
  check_error(input_error([] { parse_table("{\"point\":0,\"x\":1}\n{\"point\":1,\"y\":1}\n", "f.jsonl"); }),
              "f.jsonl", 2, 1, {"its keys differ from those of line 1"});
  // Column 10 holds the '{' of the nested object, or the 'w' of a word that is no JSON value; column 13 the 'x'
  // after the object; column 9 the 'q' of an escape JSON does not have.
  check_error(input_error([] { parse_table("{\"point\":{}}\n", "f.jsonl"); }), "f.jsonl", 1, 10,
              {"nested objects and arrays are not table cells"});
  check_error(input_error([] { parse_table("{\"point\":wrong}\n", "f.jsonl"); }), "f.jsonl", 1, 10,
              {"expected a string, a number, true, false or null"});
  check_error(input_error([] { parse_table("{\"point\":0} x\n", "f.jsonl"); }), "f.jsonl", 1, 13,
              {"unexpected text after the object"});
  check_error(input_error([] { parse_table("{\"s\":\"\\q\"}\n", "f.jsonl"); }), "f.jsonl", 1, 7, {"unknown escape '\\q'"});
}

TEST_CASE("table file: a file that cannot be read is an InputError naming it") {
  testing::TempDir dir;
  const std::string missing = dir.path("missing.csv");
  CHECK(std::string(input_error([&] { read_table_file(missing); }).what()) == missing + ": cannot read this file");
  const TableFile f = read_table_file(dir.write("t.csv", "point,x\n0,5\n"));
  CHECK(f.records.size() == 1);
}
