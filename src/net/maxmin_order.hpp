#pragma once
// MaxMinSolver's heap orders, shared by its two source files: each is "a comes out after b" for std::*_heap,
// so the smallest key is on top and equal keys go to the smaller id (or caller's order).

namespace shardsim::net::maxmin {

// A class's members: by target, then by the caller's order.
constexpr auto member_after = [](const auto& a, const auto& b) {
  return a.target > b.target || (a.target == b.target && a.order > b.order);
};
// Progressive filling: by fair share, then by resource id.
constexpr auto share_after = [](const auto& a, const auto& b) {
  return a.share > b.share || (a.share == b.share && a.resource > b.resource);
};
// Bound checks: by the phi at which a resource's bound reaches its capacity, then by resource id.
constexpr auto key_after = [](const auto& a, const auto& b) {
  return a.key > b.key || (a.key == b.key && a.resource > b.resource);
};

}  // namespace shardsim::net::maxmin
