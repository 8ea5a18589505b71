// The in-memory transport: one thread, one queue, deterministic. network/src/transport.hpp.
#include <chrono>
#include <deque>

#include "transport.hpp"

namespace tfqkd::network {

namespace {
using party::State;
using wire::Role;

bool terminal(State s) { return s == State::done || s == State::aborted; }
}  // namespace

double feed_charlie(party::Charlie& charlie, hardware_model::HeraldStream& heralds, std::uint64_t now_ns,
                    const std::function<void()>& after_batch) {
    std::vector<hardware_model::Herald> batch(kHeraldBatch);
    std::vector<party::Detection> detections;
    detections.reserve(kHeraldBatch);
    double seconds = 0;
    for (;;) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::size_t n = heralds.next(batch);
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (n == 0) break;
        detections.clear();
        for (std::size_t i = 0; i < n; ++i) {
            const auto o = batch[i].outcome;
            detections.push_back({batch[i].slot, o == hardware_model::Outcome::left    ? wire::DetectionReport::Click::left
                                                 : o == hardware_model::Outcome::right ? wire::DetectionReport::Click::right
                                                                                       : wire::DetectionReport::Click::both});
        }
        charlie.detections(detections, now_ns);
        after_batch();
        if (charlie.state() != State::measuring) return seconds;
    }
    charlie.detections_complete(now_ns);
    after_batch();
    return seconds;
}

TransportStats run_in_memory(const Parties& parties, QuantumPhase& quantum, const Adversary& adversary,
                             std::uint64_t timeout_ns, const FrameObserver& observe) {
    TransportStats stats;
    std::deque<InFlight> queue;
    std::uint64_t index = 0;
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t skipped = 0;  // virtual time added when the network went quiet (timeouts)
    const auto now = [&]() {
        return static_cast<std::uint64_t>(
                   std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count()) +
               skipped;
    };
    const auto collect = [&](Role from, std::vector<party::Outgoing> out) {
        for (auto& o : out) {
            InFlight f{from, o.to, std::move(o.frame), ++index};
            if (!adversary) {
                queue.push_back(std::move(f));
                continue;
            }
            for (auto& g : adversary(std::move(f))) queue.push_back(std::move(g));
        }
    };
    const auto collect_all = [&]() {
        collect(Role::alice, parties.alice->take_outgoing());
        collect(Role::bob, parties.bob->take_outgoing());
        collect(Role::charlie, parties.charlie->take_outgoing());
    };
    const auto deliver_all = [&]() {
        while (!queue.empty()) {
            InFlight f = std::move(queue.front());
            queue.pop_front();
            observe(f.from, f.to, f.frame);
            const std::uint64_t t = now();
            if (f.to == Role::alice) parties.alice->receive(f.from, f.frame, t);
            else if (f.to == Role::bob) parties.bob->receive(f.from, f.frame, t);
            else parties.charlie->receive(f.from, f.frame, t);
            collect_all();
        }
    };
    const auto all_done = [&]() {
        return terminal(parties.alice->state()) && terminal(parties.bob->state()) &&
               terminal(parties.charlie->state());
    };

    bool quantum_done = false;
    parties.alice->start(now());
    collect_all();
    for (int quiet_rounds = 0; quiet_rounds < 4;) {
        deliver_all();
        if (!quantum_done && parties.charlie->state() == State::measuring &&
            parties.alice->state() == State::collecting_reports) {
            quantum_done = true;
            if (quantum.on_stage) quantum.on_stage("quantum and reports");
            stats.quantum_seconds = feed_charlie(*parties.charlie, *quantum.heralds, now(), [&]() {
                collect_all();
                deliver_all();
            });
            continue;
        }
        if (all_done()) break;
        // Nothing in flight and someone still waiting: let the time pass that makes it give up.
        skipped += timeout_ns;
        const std::uint64_t t = now();
        parties.alice->tick(t);
        parties.bob->tick(t);
        parties.charlie->tick(t);
        collect_all();
        ++quiet_rounds;
    }
    return stats;
}

}  // namespace tfqkd::network
