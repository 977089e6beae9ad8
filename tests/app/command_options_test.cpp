// CommandOptions: the options every command shares, declared once; how they parse, print and read back.

#include <catch2/catch.hpp>
#include <sstream>

#include "cli_run.hpp"
#include "shardsim/app/command_options.hpp"
#include "temp_dir.hpp"

using namespace shardsim;
using shardsim::app::CommandOptions;
using shardsim::testing::input_error;

namespace {

constexpr const char* kCaption = "shardsim sample SCENARIO [options]\n\noptions";

// A command with every shared option, in the order run declares them, and one of its own.
void declare(CommandOptions& o) {
  o.input("scenario", "scenario file")
      .format({"text", "json", "csv"}, "report format")
      .set("override a key (repeatable)")
      .output("write here instead of standard output");
  o.add()("own", boost::program_options::bool_switch(), "an option of this command alone");
}

// Declares and parses a sample command; false when --help was given.
bool parse_sample(const std::vector<std::string>& args, std::ostream& out) {
  CommandOptions o(kCaption);
  declare(o);
  return o.parse(args, out);
}

}  // namespace

TEST_CASE("command options: --help lists the options in the order declared, --help last, and parse says stop") {
  std::ostringstream out;
  CHECK_FALSE(parse_sample({"--help"}, out));
  const std::string help = out.str();
  CHECK(help.rfind("shardsim sample SCENARIO [options]\n\noptions:\n", 0) == 0);
  std::size_t at = 0;
  for (const char* option :
       {"--scenario", "--format arg (=text)", "--set", "-o [ --output ]", "--own", "-h [ --help ]"}) {
    INFO(option);
    const std::size_t next = help.find(option, at);
    REQUIRE(next != std::string::npos);
    at = next;
  }
  CHECK(help.back() == '\n');
}

TEST_CASE("command options: values read back, absent ones are empty, the input is positional") {
  CommandOptions o(kCaption);
  declare(o);
  std::ostringstream out;
  REQUIRE(o.parse({"s.toml", "--set", "a=1", "--set", "b=2", "--format", "json"}, out));
  CHECK(out.str().empty());
  CHECK(o.text("scenario") == "s.toml");
  CHECK(o.sets() == std::vector<std::string>{"a=1", "b=2"});
  CHECK(o.format() == "json");
  CHECK_FALSE(o.has_output());
  CHECK(o.output_path().empty());
  CHECK_FALSE(o.value<bool>("own"));

  CommandOptions defaults(kCaption);
  declare(defaults);
  REQUIRE(defaults.parse({"s.toml"}, out));
  CHECK(defaults.format() == "text");  // the first name
  CHECK(defaults.defaulted("format"));
  CHECK(defaults.sets().empty());
}

TEST_CASE("command options: parse errors and a --format outside its names are command-line InputErrors") {
  std::ostringstream out;
  CHECK(std::string(input_error([&] { parse_sample({"s.toml", "--format", "xml"}, out); }).what()) ==
        "command line: --format: expected text, json or csv, got 'xml'");
  CHECK(std::string(input_error([&] { parse_sample({}, out); }).what()) ==
        "command line: the option '--scenario' is required but missing");
  CHECK(std::string(input_error([&] { parse_sample({"s.toml", "--bogus"}, out); }).what()) ==
        "command line: unrecognised option '--bogus'");
  // --help wins over a missing input, as every command's --help needs no arguments.
  CHECK_FALSE(parse_sample({"-h"}, out));
}

TEST_CASE("command options: the output sink is the -o file, opened at once, else standard output") {
  testing::TempDir dir;
  std::ostringstream standard;
  {
    CommandOptions o(kCaption);
    declare(o);
    REQUIRE(o.parse({"s.toml", "-o", dir.path("out.txt")}, standard));
    app::OutputSink sink(o, standard);
    CHECK(testing::slurp(dir.path("out.txt")).empty());  // made before anything is written
    sink.stream() << "report\n";
  }
  CHECK(testing::slurp(dir.path("out.txt")) == "report\n");
  CHECK(standard.str().empty());

  CommandOptions o(kCaption);
  declare(o);
  REQUIRE(o.parse({"s.toml"}, standard));
  app::OutputSink sink(o, standard);
  sink.stream() << "report\n";
  CHECK(standard.str() == "report\n");

  const std::string nowhere = dir.path("no/such/folder/out.txt");
  CommandOptions bad(kCaption);
  declare(bad);
  REQUIRE(bad.parse({"s.toml", "-o", nowhere}, standard));
  CHECK(std::string(input_error([&] { app::OutputSink s(bad, standard); }).what()) ==
        "command line: cannot write '" + nowhere + "'");
  CHECK(std::string(input_error([&] { app::open_for_writing(nowhere, "JUnit XML"); }).what()) ==
        "command line: cannot write JUnit XML '" + nowhere + "'");
}
