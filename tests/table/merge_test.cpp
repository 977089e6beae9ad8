// merge_tables: slices of a sharded sweep joined into the unsharded table, records copied byte for byte.

#include <catch2/catch.hpp>
#include <sstream>

#include "shardsim/table/merge.hpp"
#include "temp_dir.hpp"

using namespace shardsim;
using shardsim::testing::check_error;
using shardsim::testing::input_error;

namespace {

std::string merged(const std::vector<std::string>& paths, bool allow_partial = false) {
  std::ostringstream out;
  table::merge_tables(out, paths, allow_partial);
  return out.str();
}

}  // namespace

TEST_CASE("merge: slices given in any order join sorted by point, the CSV header once") {
  testing::TempDir dir;
  // Slices 1/2 and 2/2 of four points: 0, 2 and 1, 3. Records are copied as written: the spaces and the quoted
  // field stay, CRLF line ends become LF.
  const std::string a = dir.write("a.csv", "point,name\r\n0, spaced \r\n2,\"x,y\"\r\n");
  const std::string b = dir.write("b.csv", "point,name\n1,b\n3,d\n");
  CHECK(merged({b, a}) == "point,name\n0, spaced \n1,b\n2,\"x,y\"\n3,d\n");
}

TEST_CASE("merge: JSON lines, and empty slices (a shard without points) are left out") {
  testing::TempDir dir;
  const std::string a = dir.write("a.jsonl", "{\"point\":1,\"x\":\"b\"}\n");
  const std::string b = dir.write("b.jsonl", "{\"point\":0, \"x\":\"a\"}\n");
  const std::string none = dir.write("none.jsonl", "");
  CHECK(merged({a, none, b}) == "{\"point\":0, \"x\":\"a\"}\n{\"point\":1,\"x\":\"b\"}\n");
}

TEST_CASE("merge: only empty slices are an error, not an empty table that exits 0") {
  testing::TempDir dir;
  const std::string none = dir.write("none.jsonl", "");
  const std::string also = dir.write("also.csv", "");
  CHECK(std::string(input_error([&] { merged({none}); }).what()) ==
        none + ": is empty: no header and no rows to merge");
  CHECK_THAT(input_error([&] { merged({none, also}); }).what(),
             Catch::Matchers::Contains("every slice is empty"));
}

TEST_CASE("merge: the errors name the file and line of the record at fault") {
  testing::TempDir dir;
  const std::string a = dir.write("a.csv", "point,x\n0,5\n2,7\n");
  const std::string b = dir.write("b.csv", "point,x\n1,6\n");
  // Point 1 is missing before a.csv's line 3 (point 2), unless partial tables are allowed.
  check_error(input_error([&] { merged({a}); }), a, 3, 1, {"point 1 is missing before this row", "--allow-partial"});
  CHECK(merged({a}, true) == "point,x\n0,5\n2,7\n");
  // Points 2 and 3 missing before point 4.
  const std::string first_two = dir.write("c.csv", "point,x\n0,5\n1,6\n");
  const std::string four = dir.write("d.csv", "point,x\n4,9\n");
  check_error(input_error([&] { merged({first_two, four}); }), four, 2, 1, {"points 2 to 3 are missing"});
  // The same slice twice: its first record is found at both places (the sort is stable: the first file first).
  check_error(input_error([&] { merged({b, a, b}, true); }), b, 2, 1, {"point 1 is also at " + b + ":2:1"});
  // A first column that is not `point`, or a point that is no number.
  const std::string not_point = dir.write("not_point.csv", "x,point\n5,0\n");
  check_error(input_error([&] { merged({not_point}); }), not_point, 1, 1, {"the first column must be 'point'"});
  check_error(input_error([&] { merged({dir.write("e.csv", "point,x\n-1,5\n")}); }), dir.path("e.csv"), 2, 1,
              {"point '-1' is not a point number"});
  // Different columns: the first that differs is named on both sides.
  const std::string wider = dir.write("f.csv", "point,x,y\n1,6,0\n");
  check_error(input_error([&] { merged({a, wider}); }), wider, 2, 1,
              {"the columns differ from " + a + "'s: column 3 is 'y' here and nothing there"});
  // CSV and JSON lines do not mix.
  const std::string jsonl = dir.write("g.jsonl", "{\"point\":1,\"x\":6}\n");
  CHECK(std::string(input_error([&] { merged({a, jsonl}); }).what()) ==
        jsonl + ": is JSON lines but " + a + " is not");
}
