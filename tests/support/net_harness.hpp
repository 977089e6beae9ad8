#pragma once
// Test support: drives a network model on its own engine, starting transfers at given times, and records every
// delivery with its timing.

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "shardsim/core/engine.hpp"
#include "shardsim/net/network_model.hpp"

namespace shardsim::testing {

template <class Model>
class Harness final : public net::NetContext {
 public:
  Harness(const topo::Topology& t, net::NetworkOptions o) : model_(t, o) {}
  void start_at(Time at, net::TransferRequest r) { pending_.emplace(at, r); }
  void run() {
    // Starts are events too, so that a transfer starts at its own time; tag the event with stage = max. Equal
    // times start in the order start_at was called (a multimap keeps insertion order among equal keys).
    for (auto& [at, r] : pending_) starts_.push_back({at, r});
    for (std::uint32_t i = 0; i < starts_.size(); ++i) {
      engine_.schedule_at(starts_[i].first, net::NetEvent{i, kStart});
    }
    engine_.run([this](const net::NetEvent& e) {
      if (e.stage == kStart) {
        model_.start(engine_.now(), starts_[e.transfer].second, *this);
      } else {
        model_.handle(engine_.now(), e, *this);
      }
    });
  }
  core::EventId schedule(Time at, net::NetEvent e) override { return engine_.schedule_at(at, e); }
  void cancel(core::EventId id) override { engine_.cancel(id); }
  void delivered(std::uint64_t tag, const net::TransferTiming& t) override {
    CHECK(done.count(tag) == 0);
    done[tag] = t;
  }

  std::map<std::uint64_t, net::TransferTiming> done;
  const Model& model() const { return model_; }

 private:
  static constexpr std::uint32_t kStart = 0xffffffffu;
  Model model_;
  core::Engine<net::NetEvent> engine_;
  std::multimap<Time, net::TransferRequest> pending_;
  std::vector<std::pair<Time, net::TransferRequest>> starts_;
};
}  // namespace shardsim::testing
