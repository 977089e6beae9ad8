// `shardsim topo FILE [--dot] [--set key=value]...`: the summary of a topology file, its DOT graph, overrides and
// errors. Calls topo_command directly (run_cli turns its InputErrors into exit code 2).

#include <catch2/catch.hpp>
#include <sstream>

#include "shardsim/app/commands.hpp"
#include "shardsim/util/error.hpp"
#include "temp_dir.hpp"

using namespace shardsim;

namespace {

struct Outcome {
  int code;
  std::string out;
};

Outcome topo(std::vector<std::string> args) {
  std::ostringstream out;
  const int code = app::topo_command(args, out);
  return {code, out.str()};
}

const std::string kTopologies = SHARDSIM_SOURCE_DIR "/topologies/";

}  // namespace

TEST_CASE("topo: prints the summary of a topology file") {
  const std::string file = kTopologies + "pi4-1024-tree-10g.toml";
  const Outcome o = topo({file});
  CHECK(o.code == 0);
  // 22 leaves of 47 Pis and one uplink; bisection: 11 uplinks of 10 Gbit/s and 5 node links.
  CHECK(o.out == file + "\n"
                        "  nodes      1024 (1024 pi4-4gb)\n"
                        "  switches   23 (most links: leaf0, 48 links on 48 ports)\n"
                        "  links      1046 (1024 x 1 Gbit/s, 22 x 10 Gbit/s)\n"
                        "  diameter   4 hops\n"
                        "  bisection  115 Gbit/s per direction\n");
}

TEST_CASE("topo: --set changes the topology as if written in the file") {
  const std::string file = kTopologies + "pi4-1024-tree-10g.toml";
  // 1 Gbit/s uplinks: 16 Gbit/s of bisection, as pi4-1024-tree-1g.toml.
  const Outcome slow = topo({file, "--set", "tree.0.uplink_bandwidth=1 Gbit/s"});
  CHECK_THAT(slow.out, Catch::Contains("  links      1046 (1046 x 1 Gbit/s)\n"));
  CHECK_THAT(slow.out, Catch::Contains("  bisection  16 Gbit/s per direction\n"));
  // 512 nodes: ceil(512 / 47) = 11 leaves.
  const Outcome half = topo({file, "--set", "tree.0.nodes=512"});
  CHECK_THAT(half.out, Catch::Contains("  switches   12 "));
  CHECK_THAT(half.out, Catch::Contains("  links      523 "));
}

TEST_CASE("topo: a torus has no switches and tells its diameter") {
  const Outcome o = topo({kTopologies + "pi5-torus-4x4-usb.toml"});
  CHECK_THAT(o.out, Catch::Contains("  nodes      16 (16 pi5-8gb-router)\n"
                                    "  switches   0 (nodes joined directly)\n"
                                    "  links      32 (32 x 2.5 Gbit/s)\n"
                                    "  diameter   4 hops\n"
                                    "  bisection  20 Gbit/s per direction\n"));
}

TEST_CASE("topo --dot: the graph in Graphviz DOT") {
  const Outcome o = topo({kTopologies + "pi4-4gb-star-4.toml", "--dot"});
  CHECK(o.code == 0);
  CHECK(o.out == "graph G {\n"
                 "0[label=switch, shape=box];\n"
                 "1[label=pi0, shape=ellipse];\n"
                 "2[label=pi1, shape=ellipse];\n"
                 "3[label=pi2, shape=ellipse];\n"
                 "4[label=pi3, shape=ellipse];\n"
                 "1--0 [label=\"1 Gbit/s\"];\n"
                 "2--0 [label=\"1 Gbit/s\"];\n"
                 "3--0 [label=\"1 Gbit/s\"];\n"
                 "4--0 [label=\"1 Gbit/s\"];\n"
                 "}\n");
}

TEST_CASE("topo: bad input is an InputError naming where") {
  const std::string file = kTopologies + "pi4-1024-tree-1g.toml";
  CHECK_THROWS_WITH(topo({file, "--set", "tree.0.ports=1"}),
                    "--set tree.0.ports=1:1:20: tree.0.ports: must be at least 2, got 1");
  CHECK_THROWS_AS(topo({"/nonexistent/t.toml"}), InputError);
  CHECK_THROWS_AS(topo({}), InputError);  // no file
  CHECK_THROWS_AS(topo({file, "--frobnicate"}), InputError);
  testing::TempDir dir;
  const std::string bad = dir.write("t.toml", "[[star]]\nnodes = 2\nnode_type = \"nope\"\nbandwidth = \"1 Gbit/s\"\n");
  CHECK_THROWS_WITH(topo({bad}), bad + ":3:13: star.0.node_type: unknown node type 'nope' (this file defines no node types; the "
                                            "presets such as pi5-8gb are in topologies/pi-nodes.toml: add include = "
                                            "[\"pi-nodes.toml\"] with the path relative to this file, and see "
                                            "`shardsim presets`)");
}

TEST_CASE("topo --help prints the usage") {
  const Outcome o = topo({"--help"});
  CHECK(o.code == 0);
  CHECK_THAT(o.out, Catch::Contains("shardsim topo FILE"));
  CHECK_THAT(o.out, Catch::Contains("--dot"));
}
