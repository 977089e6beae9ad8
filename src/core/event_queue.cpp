#include "shardsim/core/event_queue.hpp"

#include <algorithm>
#include <bit>

namespace shardsim::core::detail {

LiveIds::LiveIds() : words_(min_words, 0), mask_(min_words - 1) {}

void LiveIds::make_room(std::uint64_t new_word) {
  // Called when new_word would not fit in the ring: new_word - base_word_ == words_.size().
  const std::size_t size = words_.size();
  if (size >= std::max(min_words, live_)) {
    // The window spans at least 64 ids per live id: evict its front half. Each id is evicted at most once, and
    // the half dropped took size / 2 * 64 adds to fill, so this is O(1) amortized per add.
    const std::uint64_t new_base = new_word - size / 2 + 1;
    for (std::uint64_t w = base_word_; w < new_base; ++w) {
      std::uint64_t& slot = words_[w & mask_];
      for (std::uint64_t bits = slot; bits != 0; bits &= bits - 1) {
        stragglers_.insert(w * 64 + static_cast<std::uint64_t>(std::countr_zero(bits)));
      }
      slot = 0;
    }
    base_word_ = new_base;
    advance_base();
    return;
  }
  // Double the ring, keeping each word of the window [base_word_, new_word) at its new position.
  std::vector<std::uint64_t> grown(2 * size, 0);
  const std::uint64_t grown_mask = 2 * size - 1;
  for (std::uint64_t w = base_word_; w < new_word; ++w) grown[w & grown_mask] = words_[w & mask_];
  words_ = std::move(grown);
  mask_ = grown_mask;
}

void LiveIds::advance_base() {
  const std::uint64_t last = next_ >> 6;  // the word the next id goes to stays in the window
  while (base_word_ < last && words_[base_word_ & mask_] == 0) ++base_word_;
}

bool LiveIds::remove_straggler(EventId id) {
  if (stragglers_.erase(id) == 0) return false;
  --live_;
  return true;
}

}  // namespace shardsim::core::detail
