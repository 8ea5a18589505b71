// One TF-QKD session over a simulated link: network/session.hpp, docs/protocol.md section 7.
#include "network/session.hpp"

#include <openssl/evp.h>
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cmath>
#include <deque>
#include <memory>

#include "base/rng.hpp"
#include "base/secret.hpp"
#include "hardware_model/heralds.hpp"
#include "transport.hpp"

namespace tfqkd::network {

namespace {

using party::State;
using wire::Role;

constexpr std::string_view kSession = "session";

// The streams of the master seed (docs/protocol.md 7): one per use, so that changing how one is
// consumed changes nothing else.
enum SeedStream : std::uint64_t {
    kAliceChoices = 1,
    kBobChoices,
    kAliceRandom,
    kBobRandom,
    kSimulator,
    kPoolAliceToBob,
    kPoolBobToAlice,
    kSessionId,
};

std::uint64_t derived(std::uint64_t seed, SeedStream stream) { return CounterRng(seed, stream).at(0); }

SecretBits pool_bits(std::uint64_t seed, SeedStream stream, std::uint64_t bits) {
    SecretBits out(bits);
    party::SeededRandom random(derived(seed, stream));
    random.fill(out.reveal_mutable());
    // Padding bits of the last byte stay zero (SecretBits' invariant, as PackedBits').
    if (bits % 8 != 0) {
        Byte& last = out.reveal_mutable()[out.reveal().size() - 1];
        last = static_cast<Byte>(last & static_cast<Byte>(0xFF00U >> (bits % 8)));
    }
    return out;
}

std::string hex(ByteSpan bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (Byte b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 15]);
    }
    return out;
}

std::array<Byte, 32> sha256(ByteSpan data) {
    std::array<Byte, 32> out{};
    unsigned size = 0;
    EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_sha256(), nullptr);
    return out;
}

// The transcript: one SHA-256 per directed channel, over its frames in order, combined in a fixed
// channel order, so the digest does not depend on how the channels interleaved.
class Transcript {
public:
    Transcript() {
        for (auto& c : channels_) {
            c = EVP_MD_CTX_new();
            EVP_DigestInit_ex(c, EVP_sha256(), nullptr);
        }
    }
    ~Transcript() {
        for (auto* c : channels_) EVP_MD_CTX_free(c);
    }
    Transcript(const Transcript&) = delete;
    Transcript& operator=(const Transcript&) = delete;
    void add(Role from, Role to, ByteSpan frame) {
        EVP_DigestUpdate(channels_[index(from, to)], frame.data(), frame.size());
    }
    std::string digest() {
        Bytes all;
        for (auto* c : channels_) {
            std::array<Byte, 32> d{};
            unsigned size = 0;
            EVP_DigestFinal_ex(c, d.data(), &size);
            all.insert(all.end(), d.begin(), d.end());
        }
        return hex(sha256(all));
    }

private:
    static std::size_t index(Role from, Role to) {
        const auto f = static_cast<std::size_t>(from) - 1, t = static_cast<std::size_t>(to) - 1;
        return f * 2 + (t > f ? t - 1 : t);
    }
    std::array<EVP_MD_CTX*, 6> channels_{};
};

std::string_view stage_of(State bob) {
    switch (bob) {
        case State::idle:
        case State::awaiting_acks: return "parameters";
        case State::collecting_reports: return "quantum and reports";
        case State::awaiting_peer_sifting:
        case State::awaiting_peer_decoys: return "sifting and estimation";
        case State::awaiting_pairing:
        case State::awaiting_parity: return "aopp";
        case State::reconciling: return "error correction";
        case State::awaiting_amplification:
        case State::awaiting_confirmation: return "verification and amplification";
        default: return "end";
    }
}

PartyOutcome outcome_of(const party::TrustedParty& p) {
    PartyOutcome o;
    o.role = p.role();
    o.state = p.state();
    o.failure = p.failure();
    if (p.state() == State::done && p.key()) {
        o.key = p.key()->metadata();
        o.key_sha256 = hex(sha256(p.key()->bits().reveal()));
    }
    return o;
}

double predicted_qber(const SessionSetup& s) {
    auto expected = hardware_model::expected_statistics(s.protocol, s.link);
    if (!expected || !(expected->key.effective > 0)) return 0.02;
    return std::max(expected->key.errors / expected->key.effective, 1e-3);
}

}  // namespace

Result<wire::SessionParams> session_params_of(const SessionSetup& s) {
    if (s.protocol.family == security::Family::mode_pairing)
        return make_error(Errc::invalid_argument, kSession, "protocol.family",
                          "mode pairing does not run as a session yet; sessions run sns (with or without aopp), pm "
                          "and cal19");
    wire::SessionParams p;
    p.block_id = s.block_id;
    p.family = static_cast<wire::SessionParams::Family>(s.protocol.family);
    p.pulse_count = s.protocol.pulses;
    if (s.protocol.phase_slices > wire::SessionParams::kMaxPhaseSlices)
        return make_error(Errc::out_of_range, kSession, "phase_slices",
                          "the wire carries at most " + std::to_string(wire::SessionParams::kMaxPhaseSlices) +
                              " phase slices");
    if (s.protocol.phase_match_slices != 0)
        return make_error(Errc::invalid_argument, kSession, "phase_match_slices",
                          "sessions match exact slices (k = 0): session_params carries no k");
    p.phase_slices = static_cast<std::uint16_t>(s.protocol.phase_slices);
    const auto convert = [](const std::vector<security::Setting>& in) {
        std::vector<wire::SessionParams::Setting> out;
        for (const auto& x : in)
            out.push_back({x.window == security::Window::x ? wire::SessionParams::Window::x : wire::SessionParams::Window::z,
                           x.intensity, x.probability});
        return out;
    };
    p.alice_settings = convert(s.protocol.alice);
    p.bob_settings = convert(s.protocol.bob);
    p.eps_cor = s.security.eps_cor;
    p.eps_pa = s.security.eps_pa;
    p.eps_pe = s.security.eps_pe;
    p.eps_total = s.security.eps_total;
    p.capabilities = wire::SessionParams::kCapCascade | (s.protocol.aopp ? wire::SessionParams::kCapAopp : 0U);
    if (auto ok = p.check(); !ok) return ok.error();
    return p;
}

Result<SessionReport> run_session(const SessionSetup& setup) {
    const auto t0 = std::chrono::steady_clock::now();
    auto params = session_params_of(setup);
    if (!params) return params.error();
    if (setup.adversary && setup.transport != TransportKind::in_memory)
        return make_error(Errc::invalid_argument, kSession, "adversary", "an adversary needs the in-memory transport");

    SessionReport report;
    report.session_id = setup.session_id != 0 ? setup.session_id : derived(setup.seed, kSessionId);
    report.cascade_qber_estimate =
        setup.cascade_qber_estimate > 0 ? setup.cascade_qber_estimate : predicted_qber(setup);

    const auto make_party = [&](Role role) -> Result<party::TrustedParty> {
        party::TrustedPartyConfig c;
        c.role = role;
        c.session_id = report.session_id;
        c.params = *params;
        c.eps_smooth = setup.security.eps_smooth;
        c.cascade_qber_estimate = report.cascade_qber_estimate;
        c.choice_seed = derived(setup.seed, role == Role::alice ? kAliceChoices : kBobChoices);
        if (setup.pools) {
            c.pools.alice_to_bob = setup.pools->alice_to_bob.clone();
            c.pools.bob_to_alice = setup.pools->bob_to_alice.clone();
        } else {
            c.pools.alice_to_bob = pool_bits(setup.seed, kPoolAliceToBob, setup.pool_bits);
            c.pools.bob_to_alice = pool_bits(setup.seed, kPoolBobToAlice, setup.pool_bits);
        }
        c.timeout_ns = setup.timeout_ns;
        return party::TrustedParty::create(
            std::move(c), std::make_unique<party::SeededRandom>(
                              derived(setup.seed, role == Role::alice ? kAliceRandom : kBobRandom)));
    };
    auto alice = make_party(Role::alice);
    if (!alice) return alice.error();
    auto bob = make_party(Role::bob);
    if (!bob) return bob.error();
    party::Charlie charlie({report.session_id, setup.events_per_report, setup.timeout_ns});

    // The simulated relay sees light sent by the parties' own choices.
    auto alice_choices = security::ChoiceSource::create(alice->protocol(), security::Party::alice,
                                                        derived(setup.seed, kAliceChoices));
    auto bob_choices = security::ChoiceSource::create(bob->protocol(), security::Party::bob,
                                                      derived(setup.seed, kBobChoices));
    if (!alice_choices) return alice_choices.error();
    if (!bob_choices) return bob_choices.error();
    auto heralds = hardware_model::HeraldStream::create(alice->protocol(), setup.link, *alice_choices, *bob_choices,
                                                        derived(setup.seed, kSimulator));
    if (!heralds) return heralds.error();

    Parties parties{&*alice, &*bob, &charlie};
    Transcript transcript;
    std::string current_stage;
    auto last_stage_time = t0;
    const auto observe = [&]() {
        const std::string_view stage = stage_of(bob->state());
        if (stage == current_stage) return;
        const auto now = std::chrono::steady_clock::now();
        if (!current_stage.empty())
            report.stages.push_back({current_stage, std::chrono::duration<double>(now - last_stage_time).count()});
        last_stage_time = now;
        current_stage = std::string(stage);
        if (setup.on_stage && stage != "end") setup.on_stage(stage);
    };
    const auto on_frame = [&](Role from, Role to, ByteSpan frame) {
        transcript.add(from, to, frame);
        ++report.frames;
        report.bytes += frame.size();
        observe();
    };

    QuantumPhase quantum{&*heralds, {}};
    TransportStats stats;
    if (setup.transport == TransportKind::in_memory)
        stats = run_in_memory(parties, quantum, setup.adversary, setup.timeout_ns, on_frame);
    else
        stats = run_streams(parties, quantum, setup.timeout_ns, on_frame);
    observe();
    if (!current_stage.empty() && current_stage != "end")
        report.stages.push_back({current_stage, std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                                               last_stage_time)
                                                    .count()});
    report.heralds = heralds->heralds();
    report.stages.insert(report.stages.begin(), {"simulated detectors (inside the quantum stage)", stats.quantum_seconds});

    // Replenishment first: the keys reported are what each party delivers.
    if (setup.replenish_bits > 0 && alice->state() == State::done && bob->state() == State::done) {
        auto a = alice->next_block_pools(setup.replenish_bits);
        auto b = bob->next_block_pools(setup.replenish_bits);
        if (a && b && a->alice_to_bob.size() == b->alice_to_bob.size() &&
            a->bob_to_alice.size() == b->bob_to_alice.size() &&
            constant_time_equal(a->alice_to_bob.reveal(), b->alice_to_bob.reveal()) &&
            constant_time_equal(a->bob_to_alice.reveal(), b->bob_to_alice.reveal()))
            report.next_pools = std::make_shared<const party::PeerPools>(std::move(*a));
    }
    report.alice = outcome_of(*alice);
    report.bob = outcome_of(*bob);
    report.charlie.role = Role::charlie;
    report.charlie.state = charlie.state();
    report.charlie.failure = charlie.failure();
    report.alice_summary = alice->summary();
    report.bob_summary = bob->summary();
    if (alice->state() == State::done && bob->state() == State::done && alice->key() && bob->key()) {
        const auto& a = alice->key()->bits();
        const auto& b = bob->key()->bits();
        report.keys_equal = a.size() == b.size() && constant_time_equal(a.reveal(), b.reveal());
        report.key_bits = a.size();
    }
    if (report.bob_summary.reconciled_bits > 0)
        report.qber = static_cast<double>(report.bob_summary.corrected_bits) /
                      static_cast<double>(report.bob_summary.reconciled_bits);
    report.transcript_sha256 = transcript.digest();
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    report.peak_rss_bytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
    return report;
}

}  // namespace tfqkd::network
