// The transports of the session runner (network/session.hpp): internal to network/.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "base/bytes.hpp"
#include "hardware_model/heralds.hpp"
#include "network/session.hpp"
#include "protocol/party/party.hpp"

namespace tfqkd::network {

struct Parties {
    party::TrustedParty* alice;
    party::TrustedParty* bob;
    party::Charlie* charlie;
};

// The optical part of the block: the simulated relay's clicks, fed to Charlie in batches once Alice
// has both acknowledgements (her start of transmission).
struct QuantumPhase {
    hardware_model::HeraldStream* heralds;
    std::function<void(std::string_view stage)> on_stage;
};

struct TransportStats {
    double quantum_seconds = 0;  // generating the clicks (the rest of the quantum stage is reporting)
};

// Called for every frame delivered, in delivery order per directed channel.
using FrameObserver = std::function<void(wire::Role from, wire::Role to, ByteSpan frame)>;

// Heralds per batch handed to Charlie.
inline constexpr std::size_t kHeraldBatch = 1U << 16;

TransportStats run_in_memory(const Parties& parties, QuantumPhase& quantum, const Adversary& adversary,
                             std::uint64_t timeout_ns, const FrameObserver& observe);
TransportStats run_streams(const Parties& parties, QuantumPhase& quantum, std::uint64_t timeout_ns,
                           const FrameObserver& observe);

// Runs the whole herald stream through Charlie; `after_batch` is called after each batch (to move
// his reports on). Returns the seconds spent generating clicks.
double feed_charlie(party::Charlie& charlie, hardware_model::HeraldStream& heralds, std::uint64_t now_ns,
                    const std::function<void()>& after_batch);

}  // namespace tfqkd::network
