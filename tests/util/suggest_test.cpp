// edit_distance (Levenshtein: insertions, deletions and substitutions each cost 1) and closest_match, the
// "did you mean" of error messages: the closest candidate within min(3, max(1, length / 3)) edits of the word.

#include <array>
#include <catch2/catch.hpp>
#include <string_view>

#include "shardsim/util/suggest.hpp"

using shardsim::closest_match;
using shardsim::edit_distance;

TEST_CASE("edit_distance counts insertions, deletions and substitutions") {
  CHECK(edit_distance("kitten", "sitting") == 3);  // k->s, e->i, insert g
  CHECK(edit_distance("flaw", "lawn") == 2);       // delete f, insert n
  CHECK(edit_distance("", "abc") == 3);            // three insertions
  CHECK(edit_distance("abc", "") == 3);            // three deletions
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("same", "same") == 0);
  CHECK(edit_distance("d_modle", "d_model") == 2);  // a transposition is two substitutions (l->e, e->l)
  CHECK(edit_distance("layers", "layer") == 1);     // delete s
  CHECK(edit_distance("abc", "xyz") == 3);          // three substitutions
}

TEST_CASE("edit_distance is symmetric") {
  CHECK(edit_distance("sitting", "kitten") == 3);
  CHECK(edit_distance("lawn", "flaw") == 2);
  CHECK(edit_distance("d_model", "d_modle") == 2);
}

TEST_CASE("closest_match finds a typo") {
  constexpr std::array<std::string_view, 7> keys{"preset", "d_model", "d_ff", "layers", "experts",
                                                 "experts_per_token", "dtype"};
  // "d_modle" has 7 letters: up to max(1, 7 / 3) = 2 edits; d_model is 2 away.
  CHECK(closest_match("d_modle", keys) == "d_model");
  // "layrs" has 5 letters: up to 1 edit; "layers" is 1 away (insert e).
  CHECK(closest_match("layrs", keys) == "layers");
  // "dtpye": 5 letters, 1 edit allowed, but the swap is 2 edits: no suggestion.
  CHECK_FALSE(closest_match("dtpye", keys).has_value());
  // An exact match is its own suggestion (distance 0).
  CHECK(closest_match("d_ff", keys) == "d_ff");
}

TEST_CASE("closest_match does not suggest a far word") {
  constexpr std::array<std::string_view, 3> keys{"batch", "nodes", "strategy"};
  CHECK_FALSE(closest_match("warmup_tokens", keys).has_value());  // nothing within 3 edits
  CHECK_FALSE(closest_match("zzz", keys).has_value());
  constexpr std::array<std::string_view, 0> none{};
  CHECK_FALSE(closest_match("batch", none).has_value());
}

TEST_CASE("closest_match prefers the closest candidate, not the first") {
  // "nodez" (5 letters, 1 edit allowed): "modes" is 2 away (n->m, z->s), "nodes" 1 away (z->s).
  constexpr std::array<std::string_view, 2> keys{"modes", "nodes"};
  CHECK(closest_match("nodez", keys) == "nodes");
}

TEST_CASE("closest_match allows a third of the word's length, at least 1 and at most 3 edits") {
  // 6 letters: 6 / 3 = 2 edits allowed.
  constexpr std::array<std::string_view, 1> two_away{"abcdxy"};
  constexpr std::array<std::string_view, 1> three_away{"abcxyz"};
  CHECK(closest_match("abcdef", two_away) == "abcdxy");
  CHECK_FALSE(closest_match("abcdef", three_away).has_value());
  // 2 letters: 2 / 3 = 0, raised to 1 edit.
  constexpr std::array<std::string_view, 1> one_away{"ax"};
  constexpr std::array<std::string_view, 1> also_two_away{"xy"};
  CHECK(closest_match("ab", one_away) == "ax");
  CHECK_FALSE(closest_match("ab", also_two_away).has_value());
  // 15 letters: 15 / 3 = 5, capped at 3 edits.
  constexpr std::array<std::string_view, 1> three{"abcdefghijklxyz"};
  constexpr std::array<std::string_view, 1> four{"abcdefghijkwxyz"};
  CHECK(closest_match("abcdefghijklmno", three) == "abcdefghijklxyz");
  CHECK_FALSE(closest_match("abcdefghijklmno", four).has_value());
}
