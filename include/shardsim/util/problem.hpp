#pragma once
// A reason some input cannot be used, naming the key it is about ("nodes", "micro_batches", "kv_heads"): what the
// model and plan checks return, so that the scenario loader can place the error at that key's position in the
// user's file instead of guessing the key from the message's words.

#include <string>

namespace shardsim {

struct Problem {
  std::string key;      // the key (within its table) the problem is about
  std::string message;  // what is wrong, without the key
};

}  // namespace shardsim
