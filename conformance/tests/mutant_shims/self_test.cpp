// The mutant build's self-test (meson.build beside this file), without the conformance harness:
//   - with no mutant selected the mutant build is the reference: honest sessions end in equal keys
//     and no mutation point is taken;
//   - names are found as the shims spell them, and an unknown name is refused, by the program too
//     (TFQKD_MUTANT_SHIM: exit status 2);
//   - each mutant's mutation point is reached and changes what the parties end with, in a session
//     run here over the sans-IO parties: honest, or with the one fault that exposes the defect
//     (a frame changed, dropped or replaced on its way, and tagged again where the change must
//     reach the party's protocol logic rather than its tag check).
// The parties share this process, so the mutant is selected only while the party under test runs,
// as a mutant shim runs one party and the harness plays the others. Time is virtual: each delivery
// takes a microsecond, and when nothing is in flight the clock jumps past the parties' timeout.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "hardware_model/channel.hpp"
#include "hardware_model/heralds.hpp"
#include "mutants.hpp"
#include "protocol/party/party.hpp"
#include "protocol/postprocessing/authentication.hpp"
#include "protocol/wire/frame.hpp"
#include "protocol/wire/messages.hpp"

namespace tfqkd::mutants {
namespace {

using party::State;
using Reason = wire::Abort::Reason;
using wire::MessageType;
using wire::Role;

constexpr std::uint64_t kSessionId = 0x5E55'1011;
constexpr std::uint64_t kBlockId = 7;
constexpr std::uint64_t kTimeoutNs = 10'000'000'000ULL;
constexpr std::uint64_t kPoolBits = 1U << 21;  // per direction: far more than one block's frames use
constexpr std::uint64_t kBitsPerTag = pp::kAuthenticationBitsPerTag;

// SNS with 4 intensities, with or without AOPP: 3 * 10^6 pulses over 0 km, the block of
// network/tests/session_setups.hpp's sns_aopp_setup (about 10^4 key bits with AOPP).
security::ProtocolParameters sns_protocol(bool aopp) {
    using security::Window;
    security::ProtocolParameters p;
    p.family = security::Family::sns;
    p.aopp = aopp;
    p.phase_slices = 16;
    p.pulses = 1'000'000;
    p.alice = {{Window::z, 0.822, 0.212}, {Window::z, 0, 0.4754}, {Window::x, 0, 0.0925},
               {Window::x, 0.198, 0.2},   {Window::x, 1.5, 0.0201}};
    p.bob = p.alice;
    return p;
}

wire::SessionParams params_of(const security::ProtocolParameters& p) {
    const auto convert = [](const std::vector<security::Setting>& in) {
        std::vector<wire::SessionParams::Setting> out;
        for (const auto& s : in)
            out.push_back({s.window == security::Window::x ? wire::SessionParams::Window::x : wire::SessionParams::Window::z,
                           s.intensity, s.probability});
        return out;
    };
    wire::SessionParams w;
    w.block_id = kBlockId;
    w.family = wire::SessionParams::Family::sns;
    w.pulse_count = p.pulses;
    w.phase_slices = static_cast<std::uint16_t>(p.phase_slices);
    w.alice_settings = convert(p.alice);
    w.bob_settings = convert(p.bob);
    w.eps_cor = 1e-15;
    w.eps_pa = 1e-10;
    w.eps_pe = 1e-10;
    w.eps_total = 1e-8;
    w.capabilities = wire::SessionParams::kCapCascade | (p.aopp ? wire::SessionParams::kCapAopp : 0U);
    return w;
}

SecretBits random_bits(std::uint64_t seed, std::uint64_t count) {
    SecretBits bits(count);
    party::SeededRandom(seed).fill(bits.reveal_mutable());
    return bits;
}

struct InFlight {
    Role from = Role::alice;
    Role to = Role::bob;
    Bytes frame;
};

class Session;
// A fault on the network or in a peer: given a frame in flight, the frames to deliver instead.
using Fault = std::function<std::vector<InFlight>(InFlight, Session&)>;

struct Scenario {
    std::string name;                // also the key of the reference run's cache
    Role under_test = Role::alice;   // the party whose calls run with the mutant selected
    bool aopp = true;
    Fault fault;                     // empty: an honest session
    // The reference's ending of the party under test: aborted with this reason, or (empty) done
    // with a key equal to the other's.
    std::optional<Reason> reference_reason;
    std::uint64_t events_per_report = 1U << 20;
    // Bob's configuration, when it differs from what Alice proposes.
    std::function<void(wire::SessionParams&)> bob_configuration;
};

// How a party ended, and what it sent on the way.
struct Ending {
    State state = State::idle;
    std::optional<Reason> reason;
    Bytes key;  // revealed: test keys only
    std::uint64_t events = 0;  // Alice and Bob: the events Charlie reported
    double claimed_leakage = 0;  // Alice and Bob: the leakage in the statistics they report
    std::uint64_t frames_sent = 0;
    bool operator==(const Ending&) const = default;
};

std::string describe(const Ending& e) {
    std::string out(party::state_name(e.state));
    if (e.reason) out += " (" + std::string(wire::reason_name(*e.reason)) + ")";
    if (!e.key.empty()) out += ", a key of " + std::to_string(e.key.size()) + " bytes";
    if (e.events != 0) out += ", " + std::to_string(e.events) + " events";
    if (e.claimed_leakage != 0) out += ", " + std::to_string(static_cast<std::uint64_t>(e.claimed_leakage)) + " bits leaked";
    return out + ", " + std::to_string(e.frames_sent) + " frames sent";
}

struct Outcome {
    Ending alice, bob, charlie;
    bool stalled = false;  // time passed and nothing moved: a party waits for ever
    std::uint64_t hits = 0;
    bool operator==(const Outcome& o) const {
        return alice == o.alice && bob == o.bob && charlie == o.charlie && stalled == o.stalled;
    }
};

std::string describe(const Outcome& o) {
    return "alice " + describe(o.alice) + "; bob " + describe(o.bob) + "; charlie " + describe(o.charlie) +
           (o.stalled ? "; stalled" : "");
}

bool terminal(State s) { return s == State::done || s == State::aborted; }

MessageType type_of_frame(const Bytes& frame) {
    auto view = wire::decode_frame(frame);
    return view ? view->header.type : MessageType::abort;
}

class Session {
public:
    Session(const Scenario& scenario, std::optional<Mutant> mutant)
        : scenario_(scenario),
          fault_(scenario.fault),
          mutant_(mutant),
          protocol_(sns_protocol(scenario.aopp)),
          alice_to_bob_(random_bits(101, kPoolBits)),
          bob_to_alice_(random_bits(102, kPoolBits)),
          charlie_({kSessionId, scenario.events_per_report, kTimeoutNs}) {}

    Outcome run() {
        const std::uint64_t hits_before = hits();
        auto alice = make(Role::alice);
        auto bob = make(Role::bob);
        // The relay sees the light the parties' own choices send (their choice seeds, 11 and 22).
        auto a = security::ChoiceSource::create(protocol_, security::Party::alice, 11);
        auto b = security::ChoiceSource::create(protocol_, security::Party::bob, 22);
        if (!alice || !bob || !a || !b) {
            ADD_FAILURE() << "the session cannot be set up";
            return {};
        }
        auto heralds = hardware_model::HeraldStream::create(
            protocol_, hardware_model::symmetric_link(0, 0.2, 0.9, 1e-8, 0.02, 0.1), *a, *b, 33);
        if (!heralds) {
            ADD_FAILURE() << "the session cannot be set up";
            return {};
        }
        alice_ = &*alice;
        bob_ = &*bob;
        Outcome out;
        as(Role::alice, [&] { alice_->start(now_); });
        collect_all();
        bool fed_all = false;
        for (;;) {
            if (!queue_.empty()) {
                InFlight f = std::move(queue_.front());
                queue_.pop_front();
                deliver(std::move(f));
                continue;
            }
            if (charlie_.state() == State::measuring && !fed_all) {
                fed_all = feed(*heralds);
                collect_all();
                continue;
            }
            if (terminal(alice_->state()) && terminal(bob_->state()) && terminal(charlie_.state())) break;
            // Nothing in flight: time passes until someone's timeout.
            const auto before = states();
            now_ += kTimeoutNs + 1;
            as(Role::alice, [&] { alice_->tick(now_); });
            as(Role::bob, [&] { bob_->tick(now_); });
            as(Role::charlie, [&] { charlie_.tick(now_); });
            collect_all();
            if (queue_.empty() && states() == before) {
                out.stalled = true;
                break;
            }
        }
        out.alice = ending(*alice_, Role::alice);
        out.bob = ending(*bob_, Role::bob);
        out.charlie = {charlie_.state(), charlie_.failure() ? std::optional(charlie_.failure()->reason) : std::nullopt, {},
                       0, 0, sent_[Role::charlie]};
        out.hits = hits() - hits_before;
        alice_ = bob_ = nullptr;
        return out;
    }

    // The frame with its header or payload changed by `edit` and, on the peer channel, tagged
    // again as its sender would have (from the pools' bits at its position), so that the change,
    // not the tag, is what the receiver meets.
    InFlight rewrite(InFlight f, const std::function<void(wire::Frame&)>& edit) {
        auto view = wire::decode_frame(f.frame);
        if (!view) {
            ADD_FAILURE() << "a frame in flight does not decode";
            return f;
        }
        wire::Frame frame = wire::to_frame(*view);
        // The sender tagged its n-th frame on the channel with the n-th tag's bits, whatever number
        // the change gives it.
        const std::uint64_t position = frame.header.sequence;
        edit(frame);
        if (frame.tag) frame.tag = wire::Tag{};
        auto bytes = wire::encode_frame(frame);
        if (!bytes) {
            ADD_FAILURE() << "the rewritten frame does not encode: " << bytes.error().to_string();
            return f;
        }
        f.frame = std::move(*bytes);
        if (frame.tag) tag_again(f, position);
        return f;
    }

    template <class M>
    InFlight rewrite_message(InFlight f, const std::function<void(M&)>& edit) {
        return rewrite(std::move(f), [&](wire::Frame& frame) {
            auto decoded = wire::decode_payload<M>(frame.payload);
            if (!decoded) {
                ADD_FAILURE() << "the payload does not decode as " << M::kName;
                return;
            }
            edit(*decoded);
            auto payload = wire::encode_message(wire::Message(*decoded));
            if (!payload) {
                ADD_FAILURE() << "the changed " << M::kName << " does not encode: " << payload.error().to_string();
                return;
            }
            frame.payload = std::move(*payload);
        });
    }

private:
    Result<party::TrustedParty> make(Role role) {
        party::TrustedPartyConfig c;
        c.role = role;
        c.session_id = kSessionId;
        c.params = params_of(protocol_);
        if (role == Role::bob && scenario_.bob_configuration) scenario_.bob_configuration(c.params);
        c.eps_smooth = 1e-10;
        c.cascade_qber_estimate = 0.02;
        c.choice_seed = role == Role::alice ? 11 : 22;
        c.pools.alice_to_bob = alice_to_bob_.clone();
        c.pools.bob_to_alice = bob_to_alice_.clone();
        c.timeout_ns = kTimeoutNs;
        auto random = std::make_unique<party::SeededRandom>(role == Role::alice ? 1 : 2);
        return party::TrustedParty::create(std::move(c), std::move(random));
    }

    // Runs `f` as party `who`: with the mutant selected if `who` is the party under test.
    template <class F>
    void as(Role who, F&& f) {
        if (who == scenario_.under_test) select(mutant_);
        f();
        select(std::nullopt);
    }

    void deliver(InFlight f) {
        std::vector<InFlight> frames;
        if (fault_) frames = fault_(std::move(f), *this);
        else frames.push_back(std::move(f));
        for (InFlight& d : frames) {
            now_ += 1000;
            if (d.to == Role::alice) as(Role::alice, [&] { alice_->receive(d.from, d.frame, now_); });
            if (d.to == Role::bob) as(Role::bob, [&] { bob_->receive(d.from, d.frame, now_); });
            if (d.to == Role::charlie) as(Role::charlie, [&] { charlie_.receive(d.from, d.frame, now_); });
            collect_all();
        }
    }

    // Charlie's detectors: one batch of clicks; true once the block is fed and complete.
    bool feed(hardware_model::HeraldStream& heralds) {
        std::vector<hardware_model::Herald> batch(1U << 16);
        const std::size_t n = heralds.next(batch);
        if (n == 0) {
            as(Role::charlie, [&] { charlie_.detections_complete(now_); });
            return true;
        }
        std::vector<party::Detection> detections;
        for (std::size_t i = 0; i < n; ++i) {
            const auto o = batch[i].outcome;
            detections.push_back({batch[i].slot, o == hardware_model::Outcome::left    ? wire::DetectionReport::Click::left
                                                 : o == hardware_model::Outcome::right ? wire::DetectionReport::Click::right
                                                                                       : wire::DetectionReport::Click::both});
        }
        as(Role::charlie, [&] { charlie_.detections(detections, now_); });
        return false;
    }

    void collect_all() {
        collect(Role::alice, alice_->take_outgoing());
        collect(Role::bob, bob_->take_outgoing());
        collect(Role::charlie, charlie_.take_outgoing());
    }

    void collect(Role from, std::vector<party::Outgoing> out) {
        for (auto& o : out) {
            ++sent_[from];
            // Bob keys his confirmation from the Alice -> Bob pool, and Alice checks it from there:
            // every later frame of that direction is tagged 256 bits further on.
            if (from == Role::bob && o.to == Role::alice && type_of_frame(o.frame) == MessageType::key_confirmation)
                bob_confirmed_ = true;
            queue_.push_back({from, o.to, std::move(o.frame)});
        }
    }

    // Tags the frame with the bits of the n-th tag of its channel (n from 0).
    void tag_again(InFlight& f, std::uint64_t n) {
        const bool a2b = f.from == Role::alice;
        pp::KeyPool pool((a2b ? alice_to_bob_ : bob_to_alice_).clone());
        const std::uint64_t position = kBitsPerTag * (n + (a2b && bob_confirmed_ ? 1 : 0));
        if (!pool.take(position) || !pp::sign_frame(f.frame, pool)) ADD_FAILURE() << "cannot tag a frame again";
    }

    std::vector<State> states() const { return {alice_->state(), bob_->state(), charlie_.state()}; }

    Ending ending(const party::TrustedParty& p, Role role) {
        Ending e;
        e.state = p.state();
        if (p.failure()) e.reason = p.failure()->reason;
        if (p.key()) e.key.assign(p.key()->bits().reveal().begin(), p.key()->bits().reveal().end());
        e.events = p.summary().events;
        if (p.summary().counts) e.claimed_leakage = p.summary().counts->key.ec_leakage_bits.value_or(0);
        e.frames_sent = sent_[role];
        return e;
    }

    const Scenario& scenario_;
    Fault fault_;  // this session's copy: a fault counts the frames it has seen
    std::optional<Mutant> mutant_;
    security::ProtocolParameters protocol_;
    SecretBits alice_to_bob_, bob_to_alice_;  // the pre-shared pools, for tagging frames again
    party::TrustedParty* alice_ = nullptr;
    party::TrustedParty* bob_ = nullptr;
    party::Charlie charlie_;
    std::deque<InFlight> queue_;
    std::map<Role, std::uint64_t> sent_;
    bool bob_confirmed_ = false;
    std::uint64_t now_ = 1;
};

// ---- faults ---------------------------------------------------------------------------------------

// Applies `act` to the `nth` (from 0) frame of `type` from `from` to `to`; the others pass. Each
// session runs its own copy, which counts from 0.
Fault on(Role from, Role to, MessageType type, std::function<std::vector<InFlight>(InFlight, Session&)> act,
         int nth = 0) {
    return [=, seen = 0](InFlight f, Session& s) mutable -> std::vector<InFlight> {
        if (f.from != from || f.to != to || type_of_frame(f.frame) != type || seen++ != nth) return {std::move(f)};
        return act(std::move(f), s);
    };
}

Fault edit_frame(Role from, Role to, MessageType type, std::function<void(wire::Frame&)> edit, int nth = 0) {
    return on(
        from, to, type, [edit](InFlight f, Session& s) { return std::vector{s.rewrite(std::move(f), edit)}; }, nth);
}

template <class M>
Fault edit_message(Role from, Role to, std::function<void(M&)> edit, int nth = 0) {
    return on(from, to, M::kType,
              [edit](InFlight f, Session& s) { return std::vector{s.rewrite_message<M>(std::move(f), edit)}; }, nth);
}

Fault drop(Role from, Role to, MessageType type) {
    return on(from, to, type, [](InFlight, Session&) { return std::vector<InFlight>{}; });
}

// Flips a bit of the frame's tag (its last byte) without tagging it again: a forgery.
Fault forge_tag(Role from, Role to, MessageType type) {
    return on(from, to, type, [](InFlight f, Session&) {
        f.frame.back() ^= 0x01;
        return std::vector{std::move(f)};
    });
}

// ---- one scenario per mutant ------------------------------------------------------------------

Scenario honest(std::string name, Role under_test, bool aopp = true) {
    Scenario s;
    s.name = std::move(name);
    s.under_test = under_test;
    s.aopp = aopp;
    return s;
}

Scenario faulty(std::string name, Role under_test, Fault fault, Reason reference_reason) {
    Scenario s;
    s.name = std::move(name);
    s.under_test = under_test;
    s.fault = std::move(fault);
    s.reference_reason = reference_reason;
    return s;
}

Scenario scenario_for(Mutant mutant) {
    using M = Mutant;
    switch (mutant) {
        case M::skip_tag_check:
            return faulty("bob: forged tag", Role::bob, forge_tag(Role::alice, Role::bob, MessageType::session_params),
                          Reason::authentication_failed);
        case M::ignore_sequence:
            return faulty("bob: sequence skipped", Role::bob,
                          edit_frame(Role::alice, Role::bob, MessageType::session_params,
                                     [](wire::Frame& f) { f.header.sequence += 1; }),
                          Reason::protocol_violation);
        case M::ignore_session_id:
            return faulty("bob: another session", Role::bob,
                          edit_frame(Role::alice, Role::bob, MessageType::session_params,
                                     [](wire::Frame& f) { f.header.session_id += 1; }),
                          Reason::protocol_violation);
        case M::tag_pad_reuses_hash_key: return honest("alice: honest", Role::alice);
        case M::accept_truncated_payload:
            return faulty("bob: truncated payload", Role::bob,
                          edit_frame(Role::alice, Role::bob, MessageType::session_params,
                                     [](wire::Frame& f) { f.payload.resize(f.payload.size() - 4); }),
                          Reason::decode_error);
        case M::ignore_block_id:
            return faulty("bob: another block", Role::bob,
                          edit_message<wire::SiftingAnnouncement>(Role::alice, Role::bob,
                                                                  [](auto& s) { s.block_id += 1; }),
                          Reason::unexpected_message);
        case M::bob_adopts_proposal: {
            Scenario s = faulty("bob: configured otherwise", Role::bob, {}, Reason::parameter_mismatch);
            s.bob_configuration = [](wire::SessionParams& p) { p.eps_pe *= 10; };
            return s;
        }
        case M::alice_skips_ack_digest:
            return faulty("alice: charlie's ack of other parameters", Role::alice,
                          edit_message<wire::SessionParamsAck>(Role::charlie, Role::alice,
                                                               [](auto& a) { a.params_digest[0] ^= 1; }),
                          Reason::parameter_mismatch);
        case M::no_timeout:
            return faulty("bob: alice's windows dropped", Role::bob,
                          drop(Role::alice, Role::bob, MessageType::sifting_announcement), Reason::timeout);
        case M::clamp_report_to_block:
            return faulty("bob: a report past the block", Role::bob,
                          edit_message<wire::DetectionReport>(Role::charlie, Role::bob,
                                                              [](auto& r) { r.slot_count += 10; }),
                          Reason::protocol_violation);
        case M::accept_report_out_of_order: {
            Scenario s = faulty("bob: overlapping reports", Role::bob,
                                edit_message<wire::DetectionReport>(Role::charlie, Role::bob,
                                                                    [](auto& r) {
                                                                        r.first_slot -= 1;
                                                                        r.slot_count += 1;
                                                                    },
                                                                    1),
                                Reason::protocol_violation);
            s.events_per_report = 1U << 14;
            return s;
        }
        case M::accept_aopp_reused_event:
            return faulty("alice: a pair reuses an event", Role::alice,
                          edit_message<wire::AoppPairing>(Role::bob, Role::alice,
                                                          [](auto& m) {
                                                              for (std::size_t j = 1; j < m.pairs.size(); ++j)
                                                                  if (m.pairs[0].second > m.pairs[j].first &&
                                                                      m.pairs[0].second != m.pairs[j].second) {
                                                                      m.pairs[j].second = m.pairs[0].second;
                                                                      return;
                                                                  }
                                                          }),
                          Reason::protocol_violation);
        case M::cascade_answers_refused_query:
            return faulty("alice: a query past the key", Role::alice,
                          edit_message<wire::CascadeParityQuery>(Role::bob, Role::alice,
                                                                 [](auto& q) { q.ranges.back() = {1ULL << 31, 1}; }),
                          Reason::protocol_violation);
        case M::skip_verification_compare:
            return faulty("alice: a wrong verification hash", Role::alice,
                          edit_message<wire::Verification>(Role::bob, Role::alice, [](auto& v) { v.tag[0] ^= 1; }),
                          Reason::verification_failed);
        case M::skip_confirmation_check:
        case M::keep_key_after_abort:
            return faulty("alice: a wrong key confirmation", Role::alice,
                          edit_message<wire::KeyConfirmation>(Role::bob, Role::alice,
                                                              [](auto& k) { k.confirmation[0] ^= 1; }),
                          Reason::verification_failed);
        case M::leakage_counted_in_bytes:
        case M::omit_aopp_leakage:
        case M::overclaim_key_length:
        case M::claim_counts_without_leakage:
        case M::confirmation_omits_key_length: return honest("alice: honest", Role::alice);
        case M::sift_keeps_double_clicks:
        case M::aopp_keeps_second_bit:
        case M::bob_zero_pa_seed: return honest("bob: honest", Role::bob);
        case M::charlie_digests_frame:
        case M::charlie_swaps_clicks:
        case M::charlie_last_report_short:
        case M::charlie_no_final_report: return honest("charlie: honest", Role::charlie);
    }
    return {};
}

// Reference runs, one per scenario, shared by the mutants that use the same one.
const Outcome& reference_run(const Scenario& s) {
    static std::map<std::string, Outcome> cache;
    auto it = cache.find(s.name);
    if (it == cache.end()) it = cache.emplace(s.name, Session(s, std::nullopt).run()).first;
    return it->second;
}

const Ending& ending_of(const Outcome& o, Role r) {
    return r == Role::alice ? o.alice : r == Role::bob ? o.bob : o.charlie;
}

void expect_equal_keys(const Outcome& o) {
    EXPECT_EQ(o.alice.state, State::done) << describe(o);
    EXPECT_EQ(o.bob.state, State::done) << describe(o);
    EXPECT_EQ(o.charlie.state, State::done) << describe(o);
    EXPECT_FALSE(o.alice.key.empty()) << describe(o);
    EXPECT_EQ(o.alice.key, o.bob.key);
}

// ---- the tests ----------------------------------------------------------------------------------

TEST(MutantBuild, WithNoMutantSelectedIsTheReference) {
    select(std::nullopt);
    const std::uint64_t before = hits();
    const Outcome o = reference_run(honest("alice: honest", Role::alice));
    expect_equal_keys(o);
    EXPECT_EQ(hits(), before);
    EXPECT_FALSE(o.stalled);
}

TEST(MutantBuild, NamesAsTheShimsSpellThem) {
    EXPECT_EQ(find("skip-tag-check"), Mutant::skip_tag_check);
    EXPECT_EQ(find("skip_tag_check"), Mutant::skip_tag_check);
    EXPECT_EQ(shim_name(Mutant::charlie_swaps_clicks), "charlie-swaps-clicks");
    std::set<std::string> names;
    for (const Info& info : all()) {
        EXPECT_EQ(find(shim_name(info.mutant)), info.mutant);
        EXPECT_FALSE(info.description.empty());
        names.insert(shim_name(info.mutant));
    }
    EXPECT_EQ(names.size(), all().size());
    EXPECT_GE(all().size(), 24U);
}

TEST(MutantBuild, RefusesUnknownNames) {
    for (const std::string_view name : {"", "none", "no-such-mutant", "skip-tag-check ", "Skip-Tag-Check", "skip-tag"})
        EXPECT_EQ(find(name), std::nullopt) << "'" << name << "'";
}

TEST(MutantBuild, TheProgramRefusesAnUnknownName) {
    const char* shim = std::getenv("TFQKD_MUTANT_SHIM");
    if (shim == nullptr) GTEST_SKIP() << "TFQKD_MUTANT_SHIM names no program";
    const auto status = [&](const std::string& args) {
        const int s = std::system(("'" + std::string(shim) + "' " + args + " >/dev/null 2>&1").c_str());
        return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
    };
    EXPECT_EQ(status("--mutant=no-such-mutant --capabilities"), 2);
    EXPECT_EQ(status("--capabilities"), 2);  // no --mutant=: not the reference either
    EXPECT_EQ(status("--mutant=none --capabilities"), 0);
    EXPECT_EQ(status("--mutant=skip-tag-check --capabilities"), 0);
}

class EachMutant : public testing::TestWithParam<Info> {};

TEST_P(EachMutant, IsReachedAndChangesTheEnding) {
    const Info& info = GetParam();
    const Scenario s = scenario_for(info.mutant);
    SCOPED_TRACE(std::string(info.id) + " in scenario '" + s.name + "': " + std::string(info.description));
    const Outcome& reference = reference_run(s);
    // The reference does what the scenario needs of it: a key, or the abort the fault calls for.
    if (s.reference_reason) {
        EXPECT_EQ(ending_of(reference, s.under_test).state, State::aborted) << describe(reference);
        EXPECT_EQ(ending_of(reference, s.under_test).reason, s.reference_reason) << describe(reference);
    } else {
        expect_equal_keys(reference);
    }
    const Outcome mutant = Session(s, info.mutant).run();
    EXPECT_GT(mutant.hits, 0U) << "the mutation point was never taken";
    EXPECT_FALSE(mutant == reference) << "the same ending as the reference: " << describe(mutant);
    std::cout << "[ " << info.id << " ] reference: " << describe(reference) << "\n[ " << info.id
              << " ] mutant:    " << describe(mutant) << "\n";
}

INSTANTIATE_TEST_SUITE_P(Mutants, EachMutant, testing::ValuesIn(all().begin(), all().end()),
                         [](const testing::TestParamInfo<Info>& p) { return std::string(p.param.id); });

}  // namespace
}  // namespace tfqkd::mutants
