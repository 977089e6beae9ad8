// Cells and write_table: CSV quoted only where needed, JSON lines with numbers and booleans bare.

#include <catch2/catch.hpp>
#include <sstream>

#include "shardsim/table/table.hpp"

using namespace shardsim::table;

namespace {

std::string written(const Table& t, TableFormat format) {
  std::ostringstream out;
  write_table(out, t, format);
  return out.str();
}

// A table with one cell of each kind and one string that needs quoting in both formats.
Table sample() {
  return Table{{"point", "topology.star.0.node_prefix", "fits", "token_latency"},
               {{{Cell::Kind::number, "0"}, {Cell::Kind::string, "pi"}, {Cell::Kind::boolean, "true"},
                 {Cell::Kind::number, "0.00062872000000000001"}},
                {{Cell::Kind::number, "1"}, {Cell::Kind::string, "a,\"b\"\nc"}, {Cell::Kind::boolean, "false"},
                 {Cell::Kind::string, "nan"}}}};
}

}  // namespace

TEST_CASE("table: a cell's kind is read from its text") {
  CHECK(infer_cell("true").kind == Cell::Kind::boolean);
  CHECK(infer_cell("false").kind == Cell::Kind::boolean);
  CHECK(infer_cell("64").kind == Cell::Kind::number);
  CHECK(infer_cell("-2.5e-3").kind == Cell::Kind::number);
  // Not JSON numbers, so strings: a leading zero, a unit, NaN, nothing, a capitalised boolean.
  for (const char* text : {"08", "1 Gbit/s", "nan", "", "True"}) {
    INFO("'" << text << "'");
    CHECK(infer_cell(text).kind == Cell::Kind::string);
  }
  CHECK(infer_cell("1 Gbit/s").text == "1 Gbit/s");  // the text is kept as it is
}

TEST_CASE("table: CSV quotes only fields with a comma, a quote or a line end, and doubles quotes") {
  // Row 1's prefix `a,"b"<LF>c` holds all three: quoted, its two quotes doubled, the line feed kept inside.
  CHECK(written(sample(), TableFormat::csv) ==
        "point,topology.star.0.node_prefix,fits,token_latency\n"
        "0,pi,true,0.00062872000000000001\n"
        "1,\"a,\"\"b\"\"\nc\",false,nan\n");
  // A carriage return alone is quoted too, so that no reader takes it for a line end.
  CHECK(written(Table{{"x"}, {{{Cell::Kind::string, "a\rb"}}}}, TableFormat::csv) == "x\n\"a\rb\"\n");
}

TEST_CASE("table: JSON lines write keys in header order, numbers and booleans bare, strings escaped") {
  CHECK(written(sample(), TableFormat::jsonl) ==
        "{\"point\":0,\"topology.star.0.node_prefix\":\"pi\",\"fits\":true,\"token_latency\":0.00062872000000000001}\n"
        "{\"point\":1,\"topology.star.0.node_prefix\":\"a,\\\"b\\\"\\nc\",\"fits\":false,\"token_latency\":\"nan\"}\n");
  // No rows: CSV still has its header; JSON lines has nothing (the keys live in the rows).
  const Table empty{{"point", "x"}, {}};
  CHECK(written(empty, TableFormat::csv) == "point,x\n");
  CHECK(written(empty, TableFormat::jsonl).empty());
}

TEST_CASE("table: formats by name, as --format takes them") {
  CHECK(table_format_names() == std::vector<std::string>{"csv", "jsonl"});
  CHECK(table_format_named("csv") == TableFormat::csv);
  CHECK(table_format_named("jsonl") == TableFormat::jsonl);
  CHECK_FALSE(table_format_named("json").has_value());
  CHECK_FALSE(table_format_named("CSV").has_value());
}
