// One live session against a shim: live_session.hpp.
//
// The harness is one thread. It owns the two reference parties that the shim does not play, the
// simulated relay's clicks (computed before the session, so that the choices file the shim gets
// covers every slot any report will name), and the shim's socket. Frames between the reference
// parties go straight from one to the other; frames to the shim pass the fault first; frames from
// the shim are checked (sender, receiver, that they are frames at all) and handed to their receiver.
#include "live_session.hpp"

#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "base/rng.hpp"
#include "hardware_model/channel.hpp"
#include "hardware_model/heralds.hpp"
#include "hardware_model/scenario.hpp"
#include "network/session.hpp"
#include "protocol/postprocessing/authentication.hpp"
#include "protocol/wire/frame.hpp"
#include "protocol/wire/messages.hpp"
#include "security/choices.hpp"
#include "shim_process.hpp"

namespace tfqkd::conformance::live {

namespace {

using party::State;
using wire::MessageType;
using wire::Role;
namespace sc = hardware_model::scenario;

bool terminal(State s) { return s == State::done || s == State::aborted; }

// ---- The blocks the sessions run ------------------------------------------------------------------

// The sessions' settings, in `tfqkd keyrate`'s scenario form: SNS over 150 km of 0.16 dB/km fibre
// (24 dB), 10^8 pulses, settings of the `tfqkd session` example. Small enough for a session of about
// a second; large enough that the finite-key bound leaves a key of a few thousand bits, with and
// without AOPP (measured when the catalogue was made: docs/vendor-guide.md 7.6).
constexpr const char* kScenario = R"json({
  "protocol": {"family": "sns", "aopp": true, "pulses": 1e8, "phase_slices": 16, "phase_match_slices": 0,
    "alice": [{"window": "z", "intensity": 0.5007, "probability": 0.2352},
              {"window": "z", "intensity": 0,      "probability": 0.6008},
              {"window": "x", "intensity": 0,      "probability": 0.0497},
              {"window": "x", "intensity": 0.06328, "probability": 0.1063},
              {"window": "x", "intensity": 0.521,  "probability": 0.008}]},
  "security": {"eps_cor": 1e-15, "eps_pa": 1e-10, "eps_pe": 1e-10, "eps_smooth": 1e-10, "eps_total": 1e-8},
  "link": {"distance_km": 150, "attenuation_db_per_km": 0.16},
  "detector": {"efficiency": 0.6, "dark_count_probability": 1e-8},
  "misalignment": 0.01, "phase_noise_rad": 0.1
})json";

// The streams of a session's seed, one per use (as network/ does for its sessions).
enum SeedStream : std::uint64_t { kAliceChoices = 1, kBobChoices, kAliceRandom, kBobRandom, kSimulator, kPools, kSession, kFaults };
std::uint64_t derived(std::uint64_t seed, SeedStream s) { return CounterRng(seed, s).at(0) >> 12; }

struct Block {
    security::ProtocolParameters protocol;
    security::SecurityParameters security;
    hardware_model::Link link;
    wire::SessionParams params;
    double qber_estimate = 0.02;
    std::uint64_t alice_choices = 0, bob_choices = 0;
    std::vector<party::Detection> heralds;
};

// The block of a family and seed, with its clicks: computed once and shared by every test that
// uses it (the clicks are most of a session's simulation time).
Result<std::shared_ptr<const Block>> block_of(const std::string& family, std::uint64_t seed) {
    static std::mutex mutex;
    static std::map<std::pair<std::string, std::uint64_t>, std::shared_ptr<const Block>> cache;
    const std::lock_guard lock(mutex);
    if (auto it = cache.find({family, seed}); it != cache.end()) return it->second;
    auto parsed = sc::parse_scenario(kScenario);
    if (const auto* bad = std::get_if<sc::InputError>(&parsed))
        return make_error(Errc::invalid_argument, "conformance", "", "the live block's scenario: " + bad->to_string());
    auto& s = std::get<sc::Scenario>(parsed);
    auto b = std::make_shared<Block>();
    b->protocol = s.protocol;
    if (b->protocol.bob.empty()) b->protocol.bob = b->protocol.alice;
    b->protocol.aopp = family == "sns-aopp";
    b->security = s.security;
    b->link = hardware_model::symmetric_link(*s.link->distance_km, s.link->attenuation_db_per_km, s.device.detector_efficiency,
                                             s.device.dark_count_probability, s.device.misalignment, s.device.phase_noise_rad);
    network::SessionSetup setup;
    setup.protocol = b->protocol;
    setup.security = b->security;
    auto params = network::session_params_of(setup);
    if (!params) return params.error();
    b->params = *params;
    auto expected = hardware_model::expected_statistics(b->protocol, b->link);
    if (expected && expected->key.effective > 0)
        b->qber_estimate = std::max(expected->key.errors / expected->key.effective, 1e-3);
    b->alice_choices = derived(seed, kAliceChoices);
    b->bob_choices = derived(seed, kBobChoices);
    auto a = security::ChoiceSource::create(b->protocol, security::Party::alice, b->alice_choices);
    if (!a) return a.error();
    auto c = security::ChoiceSource::create(b->protocol, security::Party::bob, b->bob_choices);
    if (!c) return c.error();
    auto stream = hardware_model::HeraldStream::create(b->protocol, b->link, *a, *c, derived(seed, kSimulator));
    if (!stream) return stream.error();
    std::vector<hardware_model::Herald> batch(1U << 16);
    while (const std::size_t n = stream->next(batch))
        for (std::size_t i = 0; i < n; ++i) {
            const auto o = batch[i].outcome;
            b->heralds.push_back({batch[i].slot, o == hardware_model::Outcome::left    ? wire::DetectionReport::Click::left
                                                 : o == hardware_model::Outcome::right ? wire::DetectionReport::Click::right
                                                                                       : wire::DetectionReport::Click::both});
        }
    cache[{family, seed}] = b;
    return std::shared_ptr<const Block>(b);
}

// The clicks Charlie reports to both parties under the consistent lies (the others are told on the
// frames), and the slots any report will name.
std::vector<party::Detection> told(const std::vector<party::Detection>& heralds, Fault fault, std::uint64_t pulses) {
    std::vector<party::Detection> out;
    out.reserve(heralds.size() + heralds.size() / 50 + 1);
    for (std::size_t i = 0; i < heralds.size(); ++i) {
        const auto d = heralds[i];
        const std::uint64_t next = i + 1 < heralds.size() ? heralds[i + 1].slot : pulses;
        switch (fault) {
            case Fault::relay_hide:
                if (i % 20 == 7) continue;  // one click in twenty is not reported
                break;
            case Fault::relay_move:
                if (i % 20 == 7 && d.slot + 1 < next) {  // moved to the next slot, order kept
                    out.push_back({d.slot + 1, d.click});
                    continue;
                }
                break;
            case Fault::relay_invent:
                out.push_back(d);
                if (i % 50 == 3 && d.slot + 1 < next)  // a click invented in the slot after
                    out.push_back({d.slot + 1, wire::DetectionReport::Click::left});
                continue;
            default: break;
        }
        out.push_back(d);
    }
    return out;
}

std::string hex_digest(ByteSpan bytes) {
    std::array<Byte, 32> d{};
    SHA256(bytes.data(), bytes.size(), d.data());
    return to_hex(d);
}

SecretBits pool(std::uint64_t seed, std::uint64_t stream, std::uint64_t bits) {
    SecretBits out(bits);
    party::SeededRandom random(CounterRng(seed, kPools).at(stream));
    random.fill(out.reveal_mutable());
    if (bits % 8 != 0) {
        Byte& last = out.reveal_mutable()[out.reveal().size() - 1];
        last = static_cast<Byte>(last & static_cast<Byte>(0xFF00U >> (bits % 8)));
    }
    return out;
}

std::uint64_t now_ns(std::chrono::steady_clock::time_point t0) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
}

// ---- The session --------------------------------------------------------------------------------

class Session {
public:
    Session(const SessionSpec& spec, const RunLimits& limits, std::shared_ptr<const Block> block)
        : spec_(spec), limits_(limits), block_(std::move(block)) {}

    SessionRun run(const std::string& shim, const std::string& dir);

private:
    struct Held {
        Role from, to;
        Bytes frame;
    };

    Status set_up(const std::string& dir, std::vector<std::string>& args);
    void from_harness(Role from, party::Outgoing out);
    void to_shim(Role from, Bytes frame);
    void deliver(Role from, Role to, ByteSpan frame);
    void read_shim_frames();
    void feed_charlie();
    bool harness_done() const;
    void tick();
    void collect();
    void note(std::string line) {
        if (run_.trace.size() < 200) run_.trace.push_back(std::move(line));
    }
    std::uint64_t now() const { return now_ns(t0_); }
    bool plays(Role r) const { return r != spec_.shim_role; }

    bool must_stop() const;
    // The fault, at the frame it targets; returns the frames to send in its place.
    std::vector<Bytes> apply_fault(Role from, Bytes frame);
    // Re-encodes a changed message in the frame's header and signs it with the pool bits the
    // reference spent on the original (the shadow pool of the sender's direction).
    Bytes reseal(const wire::FrameHeader& header, const wire::Message& message);

    SessionSpec spec_;
    RunLimits limits_;
    std::shared_ptr<const Block> block_;
    SessionRun run_;
    std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
    std::optional<ShimProcess> shim_;
    std::optional<party::TrustedParty> alice_, bob_;
    std::optional<party::Charlie> charlie_;
    std::vector<party::Detection> charlie_clicks_;
    std::size_t fed_ = 0;
    std::uint64_t session_id_ = 0;
    // The reference's send pool of the peer channel, replayed: each peer frame to the shim spends
    // its next tag's bits here too, so that a changed frame can be signed with the same bits.
    pp::KeyPool shadow_;
    std::deque<Held> internal_;           // frames between the two reference parties
    Bytes shim_in_, shim_out_;
    std::size_t shim_out_sent_ = 0;
    bool shim_socket_open_ = true;
    std::map<MessageType, std::uint64_t> seen_;  // frames of each type to the shim so far
    std::optional<Bytes> held_;           // reorder: the frame held back
    bool fault_done_ = false;
    int acks_to_shim_ = 0;                // a shim Alice's acknowledgements, queued on her socket
    std::uint64_t queued_to_shim_ = 0, written_to_shim_ = 0;  // bytes, since the start
    std::optional<std::uint64_t> fault_end_;  // queued_to_shim_ after the faulted frame
    bool went_on_ = false;
};

Status Session::set_up(const std::string& dir, std::vector<std::string>& args) {
    const Block& b = *block_;
    session_id_ = derived(spec_.seed, kSession);
    const auto a2b = pool(spec_.seed, 1, spec_.pool_bits);
    const auto b2a = pool(spec_.seed, 2, spec_.pool_bits);

    // The clicks Charlie will tell, and every slot a report to the shim will name.
    std::vector<party::Detection> clicks = told(b.heralds, spec_.fault, b.protocol.pulses);
    std::vector<std::uint64_t> slots;
    slots.reserve(clicks.size() + 1);
    for (const auto& d : clicks) slots.push_back(d.slot);
    if (spec_.fault == Fault::relay_beyond_block) slots.push_back(b.protocol.pulses);  // the slot past the block

    // The shim's config and files.
    shim::Config c;
    c.role = spec_.shim_role;
    c.session_id = session_id_;
    c.params = b.params;
    c.eps_smooth = b.security.eps_smooth;
    c.cascade_qber_estimate = b.qber_estimate;
    c.timeout_ms = limits_.party_timeout_ms;
    const std::string stem = dir + "/" + std::string(wire::role_name(spec_.shim_role));
    if (spec_.shim_role == Role::charlie) {
        c.detections_file = stem + ".detections";
        c.detection_records = clicks.size();
        c.events_per_report = 1U << 16;
        if (auto ok = shim::write_detections(c.detections_file, clicks); !ok) return ok.error();
    } else {
        const bool alice = spec_.shim_role == Role::alice;
        c.choice_seed = alice ? b.alice_choices : b.bob_choices;
        c.random_seed = derived(spec_.seed, alice ? kAliceRandom : kBobRandom);
        auto source = security::ChoiceSource::create(b.protocol, alice ? security::Party::alice : security::Party::bob,
                                                     c.choice_seed);
        if (!source) return source.error();
        std::vector<shim::SlotRecord> records;
        records.reserve(slots.size());
        for (auto s : slots) {
            const auto ch = source->at(s);
            records.push_back({s, ch.setting, ch.bit, ch.slice});
        }
        c.choices_file = stem + ".choices";
        c.choice_records = records.size();
        if (auto ok = shim::write_choices(c.choices_file, records); !ok) return ok.error();
        c.pools.alice_to_bob = a2b.clone();
        c.pools.bob_to_alice = b2a.clone();
    }
    const std::string config_path = stem + ".config.json";
    {
        std::ofstream out(config_path, std::ios::binary | std::ios::trunc);
        out << shim::config_json(c).dump(2) << "\n";
        if (!out) return make_error(Errc::io, "conformance", "", config_path + ": cannot be written");
    }
    args = {"--role", std::string(wire::role_name(spec_.shim_role)), "--config", config_path, "--fd",
            std::to_string(ShimProcess::kChildFd), "--outcome", stem + ".outcome.json"};

    // The reference parties. Under a mismatch the harness's own party is configured with other
    // parameters than the shim (Bob accepts only his own; Alice proposes hers).
    wire::SessionParams mine = b.params;
    switch (spec_.mismatch) {
        case Mismatch::none: break;
        case Mismatch::intensity: mine.alice_settings[0].intensity *= 1.01; break;
        case Mismatch::pulses: mine.pulse_count += 1; break;
        case Mismatch::epsilon: mine.eps_pa *= 2; break;
    }
    for (Role r : {Role::alice, Role::bob}) {
        if (!plays(r)) continue;
        party::TrustedPartyConfig tc;
        tc.role = r;
        tc.session_id = session_id_;
        tc.params = mine;
        tc.eps_smooth = b.security.eps_smooth;
        tc.cascade_qber_estimate = b.qber_estimate;
        tc.choice_seed = r == Role::alice ? b.alice_choices : b.bob_choices;
        tc.pools.alice_to_bob = a2b.clone();
        tc.pools.bob_to_alice = b2a.clone();
        tc.timeout_ns = limits_.party_timeout_ms * 1'000'000;
        auto p = party::TrustedParty::create(
            std::move(tc),
            std::make_unique<party::SeededRandom>(derived(spec_.seed, r == Role::alice ? kAliceRandom : kBobRandom)));
        if (!p) return p.error();
        (r == Role::alice ? alice_ : bob_).emplace(std::move(*p));
    }
    if (plays(Role::charlie)) {
        charlie_.emplace(party::CharlieConfig{session_id_, 1U << 16, limits_.party_timeout_ms * 1'000'000});
        charlie_clicks_ = std::move(clicks);
    }
    // The shim's peer sends from this pool: Alice from alice_to_bob, Bob from bob_to_alice.
    if (spec_.shim_role != Role::charlie) shadow_ = pp::KeyPool(spec_.shim_role == Role::alice ? b2a.clone() : a2b.clone());
    return {};
}

bool Session::harness_done() const {
    return (!alice_ || terminal(alice_->state())) && (!bob_ || terminal(bob_->state())) &&
           (!charlie_ || terminal(charlie_->state()));
}

void Session::deliver(Role from, Role to, ByteSpan frame) {
    const auto t = now();
    const bool from_shim = from == spec_.shim_role;
    const auto before = [&]() {
        if (to == Role::alice && alice_) return alice_->state();
        if (to == Role::bob && bob_) return bob_->state();
        if (to == Role::charlie && charlie_) return charlie_->state();
        return State::aborted;
    }();
    if (to == Role::alice && alice_) alice_->receive(from, frame, t);
    else if (to == Role::bob && bob_) bob_->receive(from, frame, t);
    else if (to == Role::charlie && charlie_) charlie_->receive(from, frame, t);
    else return;
    const auto after = to == Role::alice ? alice_->state() : to == Role::bob ? bob_->state() : charlie_->state();
    const auto& f = to == Role::alice ? alice_->failure() : to == Role::bob ? bob_->failure() : charlie_->failure();
    // A reason that says the frame broke the protocol (not: the reference's own pool ran out, its
    // statistics give no key, or the shim's frame was an abort).
    const auto broke = [](wire::Abort::Reason r) {
        using R = wire::Abort::Reason;
        return r == R::protocol_violation || r == R::authentication_failed || r == R::verification_failed ||
               r == R::decode_error || r == R::unexpected_message || r == R::parameter_mismatch;
    };
    if (from_shim && before != State::aborted && after == State::aborted && frame.size() > 5 &&
        frame[5] != static_cast<Byte>(MessageType::abort) && f && broke(f->reason)) {
        const auto type = wire::message_type_from_u8(frame[5]);
        run_.violations.push_back("the shim's " + std::string(type ? wire::message_type_name(*type) : "frame") +
                                  " made the reference " + std::string(wire::role_name(to)) + " abort: " +
                                  (f ? std::string(wire::reason_name(f->reason)) + " (" + f->detail + ")" : "?"));
    }
    feed_charlie();
}

void Session::feed_charlie() {
    // The relay's detectors run once Charlie has acknowledged (state measuring) and Alice has both
    // acknowledgements (light is sent only then: docs/protocol.md 3.1), in batches, so that reports
    // go out between them. A shim Alice has both once both acks are on her socket, before any report.
    if (!charlie_ || charlie_->state() != State::measuring) return;
    if (alice_ ? (alice_->state() == State::idle || alice_->state() == State::awaiting_acks) : acks_to_shim_ < 2) return;
    if (fed_ < charlie_clicks_.size()) {
        const std::size_t n = std::min<std::size_t>(charlie_clicks_.size() - fed_, 1U << 16);
        charlie_->detections(std::span(charlie_clicks_).subspan(fed_, n), now());
        fed_ += n;
    }
    if (charlie_->state() == State::measuring && fed_ == charlie_clicks_.size()) charlie_->detections_complete(now());
}

void Session::from_harness(Role from, party::Outgoing out) {
    if (out.to == spec_.shim_role) to_shim(from, std::move(out.frame));
    else internal_.push_back({from, out.to, std::move(out.frame)});
}

void Session::collect() {
    // Until nothing moves between the reference parties.
    for (int round = 0; round < 1'000'000; ++round) {
        if (alice_) for (auto& o : alice_->take_outgoing()) from_harness(Role::alice, std::move(o));
        if (bob_) for (auto& o : bob_->take_outgoing()) from_harness(Role::bob, std::move(o));
        if (charlie_) for (auto& o : charlie_->take_outgoing()) from_harness(Role::charlie, std::move(o));
        if (internal_.empty()) {
            if (!charlie_ || charlie_->state() != State::measuring) return;
            feed_charlie();
            // Reports to the shim go out batch by batch: return to the socket when there are some.
            if (!shim_out_.empty()) {
                if (charlie_) for (auto& o : charlie_->take_outgoing()) from_harness(Role::charlie, std::move(o));
                return;
            }
            continue;
        }
        Held h = std::move(internal_.front());
        internal_.pop_front();
        deliver(h.from, h.to, h.frame);
    }
}

void Session::to_shim(Role from, Bytes frame) {
    const bool before = fault_done_;
    for (auto& f : apply_fault(from, std::move(frame))) {
        shim_out_.insert(shim_out_.end(), f.begin(), f.end());
        queued_to_shim_ += f.size();
    }
    // The faulted frame's last byte: once the shim has it, it must not go on (must_stop()).
    if (!before && fault_done_ && !fault_end_) fault_end_ = queued_to_shim_;
}

// Faults after which the reference stops at once: a shim that sends anything but an abort once it
// has the faulted frame went on with a block it had to give up (docs/protocol.md 4), whatever
// reason it gives later. Not the faults whose frame may be answered before the fault shows (a
// replay's first copy, a reorder, a drop), nor the lies a session may survive.
bool Session::must_stop() const {
    switch (spec_.fault) {
        case Fault::tamper_payload:
        case Fault::tamper_tag:
        case Fault::garbage:
        case Fault::truncated:
        case Fault::oversized:
        case Fault::out_of_state:
        case Fault::wrong_session:
        case Fault::wrong_block:
        case Fault::sequence_skip:
        case Fault::wrong_verification:
        case Fault::bad_confirmation:
        case Fault::aopp_reused_pair:
        case Fault::cascade_out_of_range:
        case Fault::relay_beyond_block:
        case Fault::relay_overlap:
        case Fault::relay_bad_ack_digest: return fault_end_ && written_to_shim_ >= *fault_end_;
        default: return false;
    }
}

Bytes Session::reseal(const wire::FrameHeader& header, const wire::Message& message) {
    auto encoded = wire::encode_frame_message(header, message);
    if (!encoded) {
        note("the harness could not re-encode the changed message: " + encoded.error().to_string());
        return {};
    }
    if (wire::carries_tag(header.sender, header.receiver)) {
        if (auto ok = pp::sign_frame(*encoded, shadow_); !ok) note("re-signing failed: " + ok.error().to_string());
    }
    return std::move(*encoded);
}

std::vector<Bytes> Session::apply_fault(Role from, Bytes frame) {
    auto decoded = wire::decode_frame_message(frame);
    if (!decoded) {  // the reference's own frames always decode
        note("a reference frame did not decode: " + decoded.error().to_string());
        return {std::move(frame)};
    }
    const wire::FrameHeader header = decoded->frame.header;
    const bool peer = wire::carries_tag(header.sender, header.receiver);
    const auto type = header.type;
    const std::uint64_t nth = ++seen_[type];
    if (type == MessageType::session_params_ack) ++acks_to_shim_;
    const bool target = !fault_done_ && spec_.fault != Fault::none && type == spec_.target && nth == spec_.occurrence;
    const std::string what = std::string(wire::message_type_name(type)) + " #" + std::to_string(nth) + " from " +
                             std::string(wire::role_name(from));
    // A held frame goes out after the next frame on its channel (reorder).
    std::vector<Bytes> out;
    const auto release_held = [&]() {
        if (held_) {
            out.push_back(std::move(*held_));
            held_.reset();
        }
    };
    // Relay lies told on the frames: every report to the shim, not one.
    if (from == Role::charlie && type == MessageType::detection_report &&
        (spec_.fault == Fault::relay_split_view || spec_.fault == Fault::relay_beyond_block)) {
        auto m = std::get<wire::DetectionReport>(decoded->message);
        if (spec_.fault == Fault::relay_split_view) {
            wire::DetectionReport cut = m;
            cut.slots.clear();
            cut.clicks.clear();
            for (std::size_t i = 0; i < m.slots.size(); ++i)
                if (i % 10 != 4) {
                    cut.slots.push_back(m.slots[i]);
                    cut.clicks.push_back(m.clicks[i]);
                }
            m = std::move(cut);
            if (!fault_done_) note("relay split view: the shim's reports lack one event in ten");
            fault_done_ = true;
            run_.fault_applied = true;
        } else if (m.first_slot + m.slot_count == block_->protocol.pulses) {
            m.slot_count += 1;
            m.slots.push_back(block_->protocol.pulses);
            m.clicks.push_back(wire::DetectionReport::Click::left);
            note("relay beyond block: the last report runs to slot " + std::to_string(block_->protocol.pulses) +
                 ", one past the block, with a click there");
            fault_done_ = true;
            run_.fault_applied = true;
        }
        out.push_back(reseal(header, m));
        release_held();
        return out;
    }
    if (!target) {
        if (peer) (void)shadow_.take(pp::kAuthenticationBitsPerTag);  // the bits the reference spent
        out.push_back(std::move(frame));
        release_held();
        return out;
    }
    fault_done_ = true;
    run_.fault_applied = true;
    note(std::string(fault_name(spec_.fault)) + " on " + what);
    Bytes changed = frame;
    const auto flip = [&](std::size_t at) { changed[at] ^= 0x01; };
    const std::size_t tag_size = peer ? wire::kTagSize : 0;
    const std::size_t payload_end = changed.size() - tag_size;
    switch (spec_.fault) {
        case Fault::none: break;
        case Fault::tamper_payload:
            if (peer) (void)shadow_.take(pp::kAuthenticationBitsPerTag);
            flip(wire::kFrameHeaderSize + (payload_end - wire::kFrameHeaderSize) / 2);
            out.push_back(std::move(changed));
            break;
        case Fault::tamper_tag:
            if (peer) (void)shadow_.take(pp::kAuthenticationBitsPerTag);
            flip(changed.size() - 1);
            out.push_back(std::move(changed));
            break;
        case Fault::replay:
            if (peer) (void)shadow_.take(pp::kAuthenticationBitsPerTag);
            out.push_back(frame);
            out.push_back(std::move(frame));
            break;
        case Fault::reorder:
            if (peer) (void)shadow_.take(pp::kAuthenticationBitsPerTag);
            held_ = std::move(frame);  // goes out after the next frame to the shim
            return out;
        case Fault::drop:
            if (peer) (void)shadow_.take(pp::kAuthenticationBitsPerTag);
            break;
        case Fault::garbage: {
            if (peer) (void)shadow_.take(pp::kAuthenticationBitsPerTag);
            static constexpr std::string_view kJunk = "GET / HTTP/1.1\r\nHost: relay\r\n\r\n";
            out.emplace_back(kJunk.begin(), kJunk.end());
            out.push_back(std::move(frame));
            break;
        }
        case Fault::truncated: {
            // One byte less of payload, the header's length following it, re-signed.
            Bytes cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(payload_end - 1));
            const std::uint32_t len = static_cast<std::uint32_t>(payload_end - 1 - wire::kFrameHeaderSize);
            for (int i = 0; i < 4; ++i) cut[24 + static_cast<std::size_t>(i)] = static_cast<Byte>(len >> (8 * (3 - i)));
            cut.resize(cut.size() + tag_size, 0);
            if (peer) {
                if (auto ok = pp::sign_frame(cut, shadow_); !ok) note("re-signing failed: " + ok.error().to_string());
            }
            out.push_back(std::move(cut));
            break;
        }
        case Fault::oversized: {
            if (peer) (void)shadow_.take(pp::kAuthenticationBitsPerTag);
            // payload_length 2^30 + 1: past the wire's bound (WF-FRM-5); the bytes that follow are
            // the real payload, far fewer than announced.
            const std::uint32_t len = (1U << 30) + 1;
            for (int i = 0; i < 4; ++i) changed[24 + static_cast<std::size_t>(i)] = static_cast<Byte>(len >> (8 * (3 - i)));
            out.push_back(std::move(changed));
            break;
        }
        case Fault::out_of_state: {
            // A key confirmation (a well-formed message no early state takes) in place of the frame,
            // with its sequence number and tag bits.
            wire::KeyConfirmation k;
            k.block_id = block_->params.block_id;
            k.key_bits = 1024;
            wire::FrameHeader h = header;
            h.type = MessageType::key_confirmation;
            out.push_back(reseal(h, k));
            break;
        }
        case Fault::wrong_session: {
            wire::FrameHeader h = header;
            h.session_id ^= 1;
            out.push_back(reseal(h, decoded->message));
            break;
        }
        case Fault::wrong_block: {
            wire::Message m = decoded->message;
            std::visit([](auto& x) { x.block_id += 1; }, m);
            out.push_back(reseal(header, m));
            break;
        }
        case Fault::sequence_skip: {
            wire::FrameHeader h = header;
            h.sequence += 1;
            out.push_back(reseal(h, decoded->message));
            break;
        }
        case Fault::wrong_verification: {
            auto m = std::get<wire::Verification>(decoded->message);
            if (!m.tag.empty()) m.tag[0] ^= 0x01;
            out.push_back(reseal(header, m));
            break;
        }
        case Fault::bad_confirmation: {
            auto m = std::get<wire::KeyConfirmation>(decoded->message);
            m.confirmation[0] ^= 0x01;
            out.push_back(reseal(header, m));
            break;
        }
        case Fault::aopp_reused_pair: {
            auto m = std::get<wire::AoppPairing>(decoded->message);
            // A later pair ends on the first pair's second event: one event in two pairs, the
            // list otherwise intact (its length and the firsts' order are what the codec checks).
            if (!m.pairs.empty()) {
                const std::uint32_t reused = m.pairs[0].second;
                for (std::size_t j = 1; j < m.pairs.size() && m.pairs[j].first < reused; ++j)
                    if (m.pairs[j].second != reused) {
                        m.pairs[j].second = reused;
                        break;
                    }
            }
            out.push_back(reseal(header, m));
            break;
        }
        case Fault::cascade_out_of_range: {
            auto m = std::get<wire::CascadeParityQuery>(decoded->message);
            if (!m.ranges.empty()) {
                m.ranges.resize(1);
                m.ranges[0] = {1ULL << 31, 1};  // far past any key of the session
            }
            out.push_back(reseal(header, m));
            break;
        }
        case Fault::relay_overlap: {
            // The report starts one slot before the previous one ended.
            auto m = std::get<wire::DetectionReport>(decoded->message);
            if (m.first_slot > 0) {
                m.first_slot -= 1;
                m.slot_count += 1;
            }
            out.push_back(reseal(header, m));
            break;
        }
        case Fault::relay_bad_ack_digest: {
            auto m = std::get<wire::SessionParamsAck>(decoded->message);
            m.params_digest[0] ^= 0x01;
            out.push_back(reseal(header, m));
            break;
        }
        case Fault::relay_invent:
        case Fault::relay_hide:
        case Fault::relay_move:
        case Fault::relay_beyond_block:
        case Fault::relay_split_view: out.push_back(std::move(frame)); break;
    }
    release_held();
    return out;
}

void Session::read_shim_frames() {
    std::size_t used = 0;
    while (shim_in_.size() - used >= wire::kFrameHeaderSize) {
        const ByteSpan rest = ByteSpan(shim_in_).subspan(used);
        auto size = wire::frame_size(rest);
        if (!size) {
            run_.violations.push_back("the shim sent bytes that are not a frame: " + size.error().to_string());
            shim_in_.clear();
            shim_socket_open_ = false;  // nothing after them can be framed
            return;
        }
        if (rest.size() < *size) break;
        const ByteSpan frame = rest.subspan(0, *size);
        const auto sender = wire::role_from_u8(frame[6]);
        const auto receiver = wire::role_from_u8(frame[7]);
        used += *size;
        if (sender != spec_.shim_role) {
            run_.violations.push_back("the shim sent a frame whose sender is not its role " +
                                      std::string(wire::role_name(spec_.shim_role)));
            continue;
        }
        if (!receiver || *receiver == spec_.shim_role) {
            run_.violations.push_back("the shim sent a frame to an invalid receiver");
            continue;
        }
        if (must_stop() && frame[5] != static_cast<Byte>(MessageType::abort) && !went_on_) {
            const auto type = wire::message_type_from_u8(frame[5]);
            went_on_ = true;
            run_.violations.push_back("the shim went on after the faulted frame: it sent " +
                                      std::string(type ? wire::message_type_name(*type) : "a frame") +
                                      " where it had to abort (docs/protocol.md 4)");
        }
        deliver(*sender, *receiver, frame);
        // A key confirmation from the shim makes its reference peer recompute it from the peer's
        // send pool (docs/protocol.md 3.4): the shadow of that pool spends the same bits.
        if (frame[5] == static_cast<Byte>(MessageType::key_confirmation) && wire::carries_tag(*sender, *receiver))
            (void)shadow_.take(pp::kAuthenticationBitsPerTag);
    }
    shim_in_.erase(shim_in_.begin(), shim_in_.begin() + static_cast<std::ptrdiff_t>(used));
}

void Session::tick() {
    const auto t = now();
    if (alice_) alice_->tick(t);
    if (bob_) bob_->tick(t);
    if (charlie_) charlie_->tick(t);
}

SessionRun Session::run(const std::string& shim_path, const std::string& dir) {
    std::vector<std::string> args;
    if (auto ok = set_up(dir, args); !ok) {
        run_.start_error = "the session could not be set up: " + ok.error().to_string();
        return run_;
    }
    auto process = ShimProcess::start(shim_path, args, limits_.output_cap_bytes);
    if (!process) {
        run_.start_error = process.error().detail;
        return run_;
    }
    shim_.emplace(std::move(*process));
    t0_ = std::chrono::steady_clock::now();
    const auto deadline = t0_ + std::chrono::duration<double>(limits_.timeout_seconds);
    // Once the reference parties have ended, the shim has its own silence limit and a margin to
    // end too; past that it hangs.
    std::optional<std::chrono::steady_clock::time_point> grace;
    if (alice_) alice_->start(now());
    collect();
    for (;;) {
        if (!shim_->drain_output()) {
            run_.flooded = true;
            shim_->kill();
            break;
        }
        const bool exited = shim_->exited();
        if (harness_done() && exited) break;
        const auto t = std::chrono::steady_clock::now();
        if (t > deadline) {
            run_.hung = true;
            shim_->kill();
            break;
        }
        if (harness_done() && !grace)
            grace = t + std::chrono::milliseconds(limits_.party_timeout_ms + 5000);
        if (grace && t > *grace) {
            run_.hung = true;
            shim_->kill();
            break;
        }
        pollfd fds[3] = {{shim_socket_open_ ? shim_->socket() : -1,
                          static_cast<short>(POLLIN | (shim_out_sent_ < shim_out_.size() ? POLLOUT : 0)), 0},
                         {shim_->stdout_fd(), POLLIN, 0},
                         {shim_->stderr_fd(), POLLIN, 0}};
        poll(fds, 3, 5);
        if (shim_socket_open_ && (fds[0].revents & POLLOUT)) {
            const ssize_t n = send(shim_->socket(), shim_out_.data() + shim_out_sent_, shim_out_.size() - shim_out_sent_,
                                   MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                shim_out_sent_ += static_cast<std::size_t>(n);
                written_to_shim_ += static_cast<std::uint64_t>(n);
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                shim_socket_open_ = false;
            }
            if (shim_out_sent_ == shim_out_.size()) {
                shim_out_.clear();
                shim_out_sent_ = 0;
            }
        }
        if (shim_socket_open_ && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            Byte buf[1 << 16];
            const ssize_t n = recv(shim_->socket(), buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                shim_in_.insert(shim_in_.end(), buf, buf + n);
                read_shim_frames();
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                shim_socket_open_ = false;
            }
        }
        tick();
        collect();
    }
    shim_->drain_output();
    shim_->exited();
    run_.exit_code = shim_->exit_code();
    run_.signal = shim_->signal();
    run_.output = shim_->output_tail();
    shim_.reset();  // closes the socket; the child is reaped

    // The outcome file.
    const std::string path = dir + "/" + std::string(wire::role_name(spec_.shim_role)) + ".outcome.json";
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        run_.outcome_error = "the shim wrote no outcome file (--outcome)";
    } else {
        std::stringstream text;
        text << in.rdbuf();
        auto o = shim::parse_outcome(text.str(), "the outcome file");
        if (o) run_.outcome = std::move(*o);
        else run_.outcome_error = o.error().detail;
    }
    const auto record = [&](const party::TrustedParty& p) {
        HarnessParty h;
        h.role = p.role();
        h.state = p.state();
        h.failure = p.failure();
        h.summary = p.summary();
        h.protocol = p.protocol();
        h.security = block_->security;
        if (p.state() == State::done && p.key()) {
            h.key_bits = p.key()->bits().size();
            h.key_sha256 = hex_digest(p.key()->bits().reveal());
            h.metadata = p.key()->metadata();
        }
        run_.harness.push_back(std::move(h));
    };
    if (alice_) record(*alice_);
    if (bob_) record(*bob_);
    if (charlie_) {
        HarnessParty h;
        h.role = Role::charlie;
        h.state = charlie_->state();
        h.failure = charlie_->failure();
        run_.harness.push_back(std::move(h));
    }
    run_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    return run_;
}

}  // namespace

std::string_view fault_name(Fault fault) noexcept {
    switch (fault) {
        case Fault::none: return "none";
        case Fault::tamper_payload: return "tamper-payload";
        case Fault::tamper_tag: return "tamper-tag";
        case Fault::replay: return "replay";
        case Fault::reorder: return "reorder";
        case Fault::drop: return "drop";
        case Fault::garbage: return "garbage";
        case Fault::truncated: return "truncated";
        case Fault::oversized: return "oversized";
        case Fault::out_of_state: return "out-of-state";
        case Fault::wrong_session: return "wrong-session";
        case Fault::wrong_block: return "wrong-block";
        case Fault::sequence_skip: return "sequence-skip";
        case Fault::wrong_verification: return "wrong-verification";
        case Fault::bad_confirmation: return "bad-confirmation";
        case Fault::aopp_reused_pair: return "aopp-reused-pair";
        case Fault::cascade_out_of_range: return "cascade-out-of-range";
        case Fault::relay_invent: return "invent";
        case Fault::relay_hide: return "hide";
        case Fault::relay_move: return "move";
        case Fault::relay_beyond_block: return "beyond-block";
        case Fault::relay_overlap: return "overlap";
        case Fault::relay_split_view: return "split-view";
        case Fault::relay_bad_ack_digest: return "bad-ack-digest";
    }
    return "unknown";
}

SessionRun run_session(const std::string& shim, const SessionSpec& spec, const RunLimits& limits,
                       const std::string& work_dir) {
    auto block = block_of(spec.family, spec.seed);
    if (!block) {
        SessionRun r;
        r.start_error = "the block could not be simulated: " + block.error().to_string();
        return r;
    }
    Session s(spec, limits, *block);
    return s.run(shim, work_dir);
}

}  // namespace tfqkd::conformance::live
