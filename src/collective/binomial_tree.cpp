// The binomial tree algorithm (schedule.hpp): up the tree (gather, reduce), down it (broadcast, scatter), or up
// then down (all-gather, all-reduce, reduce-scatter), over ranks relative to the root.

#include "builder.hpp"
#include "expansions.hpp"

#include <algorithm>

namespace shardsim::collective::detail {

namespace {

// K = ceil(log2 p): the tree's depth, and its rounds.
int ceil_log2(int p) {
  int k = 0;
  while ((1 << k) < p) ++k;
  return k;
}

// The binomial tree over relative ranks v = r - root (mod p): v's children are v + 2^j for every 2^j below v's
// lowest set bit (every 2^j < p for the root), served largest subtree first.
class BinomialTree {
 public:
  BinomialTree(Builder& b, int root) : b_(b), p_(b.ranks()), root_(root), k_(ceil_log2(b.ranks())) {}

  int real(int v) const { return (v + root_) % p_; }

  // Upwards (gather, reduce): in round i (mask 2^i) relative rank v = mask (mod 2 mask) sends v - mask its
  // subtree's pieces, or their partial sum, once all its children arrived. Returns the steps delivered to the root.
  StepList up() {
    std::vector<StepList> into(static_cast<std::size_t>(p_));
    for (int i = 0; i < k_; ++i) {
      const int mask = 1 << i;
      for (int v = mask; v < p_; v += 2 * mask) {
        const SetId subtree = b_.cyclic(real(v), std::min(mask, p_ - v), p_);
        const StepId k = b_.add(real(v), real(v - mask), subtree, b_.all_parts());
        b_.deps(into[static_cast<std::size_t>(v)]);
        into[static_cast<std::size_t>(v - mask)].push_back(k);
      }
    }
    return into.front();
  }

  // Downwards (broadcast, scatter): in round i (mask 2^(K-1-i)) relative rank v = 0 (mod 2 mask) sends v + mask
  // what it received (the root: once `root_deps` are delivered). `scatter`: v + mask's subtree's blocks only.
  void down(SetId origins, bool scatter, const StepList& root_deps) {
    StepList got(static_cast<std::size_t>(p_));
    for (int i = 0; i < k_; ++i) {
      const int mask = 1 << (k_ - 1 - i);
      for (int v = 0; v + mask < p_; v += 2 * mask) {
        const SetId parts = scatter ? b_.cyclic(real(v + mask), std::min(mask, p_ - v - mask), p_) : b_.all_parts();
        const StepId k = b_.add(real(v), real(v + mask), origins, parts);
        if (v == 0) {
          b_.deps(root_deps);
        } else {
          b_.dep(got[static_cast<std::size_t>(v)]);
        }
        got[static_cast<std::size_t>(v + mask)] = k;
      }
    }
  }

 private:
  Builder& b_;
  int p_;
  int root_;
  int k_;
};

}  // namespace

Schedule expand_tree(const CollectiveSpec& spec) {
  Builder b(spec, default_parts(spec));
  BinomialTree tree(b, spec.root);
  switch (spec.kind) {
    case CollectiveKind::broadcast:
      tree.down(b.single(spec.root), false, {});
      break;
    case CollectiveKind::gather:
    case CollectiveKind::reduce:
      tree.up();
      break;
    case CollectiveKind::all_gather:
    case CollectiveKind::all_reduce:
      tree.down(b.all_ranks(), false, tree.up());
      break;
    case CollectiveKind::reduce_scatter:
      tree.down(b.all_ranks(), true, tree.up());
      break;
    case CollectiveKind::all_to_all:
      throw InternalError("tree: all-to-all is not supported");
  }
  return b.finish();
}

}  // namespace shardsim::collective::detail
