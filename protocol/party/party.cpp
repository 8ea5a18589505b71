// Alice, Bob and Charlie: protocol/party/party.hpp, docs/protocol.md.
#include "protocol/party/party.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

#include "../mutants.hpp"
#include "base/writer.hpp"
#include "protocol/cascade.hpp"
#include "protocol/party/sifting.hpp"
#include "protocol/postprocessing/authentication.hpp"
#include "protocol/postprocessing/toeplitz.hpp"
#include "protocol/postprocessing/verification.hpp"
#include "security/cal19.hpp"
#include "security/pm.hpp"
#include "security/sns.hpp"

namespace tfqkd::party {

using protocol::CascadeConfig;
using protocol::CascadeCorrector;
using protocol::CascadeResponder;
using protocol::CascadeSchedule;
using protocol::ReconciliationState;

using Reason = wire::Abort::Reason;
using wire::MessageType;
using wire::Role;

// ---- randomness ---------------------------------------------------------------------------------

std::uint64_t RandomSource::next_u64() {
    std::array<Byte, 8> b{};
    fill(b);
    std::uint64_t v = 0;
    for (Byte x : b) v = (v << 8) | x;
    return v;
}

std::uint64_t RandomSource::below(std::uint64_t bound) {
    __extension__ using u128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<u128>(next_u64()) * bound) >> 64);
}

void SeededRandom::fill(MutableByteSpan out) {
    std::size_t i = 0;
    while (i < out.size()) {
        std::uint64_t v = rng_.next();
        for (int k = 0; k < 8 && i < out.size(); ++k, v >>= 8) out[i++] = static_cast<Byte>(v);
    }
}

// The wire carries no k (phase_match_slices): sessions match exact slices (and exactly opposite ones).
security::ProtocolParameters protocol_of(const wire::SessionParams& p) {
    security::ProtocolParameters out;
    out.family = static_cast<security::Family>(p.family);
    out.aopp = (p.capabilities & wire::SessionParams::kCapAopp) != 0;
    const auto convert = [](const std::vector<wire::SessionParams::Setting>& in) {
        std::vector<security::Setting> settings;
        for (const auto& s : in)
            settings.push_back({s.window == wire::SessionParams::Window::x ? security::Window::x : security::Window::z,
                                s.intensity, s.probability});
        return settings;
    };
    out.alice = convert(p.alice_settings);
    out.bob = convert(p.bob_settings);
    out.phase_slices = p.phase_slices;
    out.phase_match_slices = 0;
    out.pulses = p.pulse_count;
    return out;
}

security::SecurityParameters security_of(const wire::SessionParams& p, double eps_smooth) {
    security::SecurityParameters s;
    s.eps_cor = p.eps_cor;
    s.eps_pa = p.eps_pa;
    s.eps_pe = p.eps_pe;
    s.eps_smooth = eps_smooth;
    s.eps_total = p.eps_total;
    return s;
}

namespace {

std::array<Byte, 32> sha256(ByteSpan data) {
    std::array<Byte, 32> out{};
    SHA256(data.data(), data.size(), out.data());
    return out;
}

// The certified length of the family; the counts carry the measured leakage when known.
Result<security::KeyLength> certify(const security::ProtocolParameters& protocol,
                                    const security::SecurityParameters& security, const security::CountStatistics& counts) {
    security::SnsOptions options;
    options.analysis = security::Analysis::finite;
    switch (protocol.family) {
        case security::Family::sns: return security::sns_key_length(protocol, security, counts, options);
        case security::Family::pm: return security::pm_key_length(protocol, security, counts, options);
        case security::Family::cal19: return security::cal19_key_length(protocol, security, counts, options);
        case security::Family::mode_pairing: break;
    }
    return make_error(Errc::invalid_argument, "session", "family", "mode pairing does not run as a session");
}

// What the key confirmation tags: a label, the session, the block, the key's length and bits.
Bytes confirmation_message(std::uint64_t session_id, std::uint64_t block_id, const SecretBits& key) {
    Bytes out;
    Writer w(out, "key_confirmation");
    static constexpr std::string_view kLabel = "tfqkd key confirmation v1";
    w.bytes(ByteSpan(reinterpret_cast<const Byte*>(kLabel.data()), kLabel.size()));
    w.u64(session_id);
    w.u64(block_id);
    // Mutant confirmation_omits_key_length: the key's length is left out of what is tagged.
    if (!TFQKD_MUTANT(confirmation_omits_key_length)) w.u64(key.size());
    w.bytes(key.reveal());
    return out;
}

void wipe_bytes(Bytes& b) {
    secure_wipe(b.data(), b.size());
    b.clear();
}

// The detector opposite to a single click's (the mutant charlie_swaps_clicks reports it).
wire::DetectionReport::Click other_detector(wire::DetectionReport::Click c) {
    using Click = wire::DetectionReport::Click;
    return c == Click::left ? Click::right : Click::left;
}

// The report cut at slot `pulses`: its events there and past dropped (the mutant
// clamp_report_to_block reads a report so).
wire::DetectionReport clamped(const wire::DetectionReport& m, std::uint64_t pulses) {
    wire::DetectionReport out = m;
    out.slot_count = pulses - m.first_slot;
    out.slots.clear();
    out.clicks.clear();
    for (std::size_t i = 0; i < m.slots.size() && m.slots[i] < pulses; ++i) {
        out.slots.push_back(m.slots[i]);
        out.clicks.push_back(m.clicks[i]);
    }
    return out;
}

std::uint64_t ceil_log2_plus_one(std::uint64_t n) {
    // ceil(log2(n + 1)): the bits that name one of n + 1 values.
    return static_cast<std::uint64_t>(std::bit_width(n));
}

}  // namespace

// ---- Alice and Bob --------------------------------------------------------------------------------

struct TrustedParty::Impl {
    TrustedPartyConfig config;
    std::unique_ptr<RandomSource> random;
    security::ProtocolParameters protocol;
    security::SecurityParameters security;
    security::ChoiceSource choices;
    session::Endpoint peer;
    session::Endpoint relay;
    Role self;
    Role other;
    State state = State::idle;
    const Transition* row = nullptr;
    std::optional<Failure> failure;
    std::optional<pp::FinalKey> key;
    PartySummary summary;
    std::vector<Outgoing> outgoing;
    std::uint64_t last_activity = 0;
    std::uint64_t block_id = 0;
    Bytes params_payload;  // as Alice encoded it (the digest's input)

    // Alice: which acks are in.
    bool ack_bob = false, ack_charlie = false;
    // The reports so far.
    std::uint64_t next_slot = 0;
    std::vector<wire::DetectionReport::Click> clicks;
    // Secret: the party's choices per event (SNS's key bit is the setting). The allocator wipes every
    // block the vector gives up as it grows.
    std::vector<EventChoice, WipingAllocator<EventChoice>> mine;
    bool reports_complete = false;
    std::optional<wire::SiftingAnnouncement> early_sifting;  // Bob: Alice's, before his reports were complete
    PublicRecord record;
    Sifted sifted;
    PackedBits raw;       // secret: the raw key bits of the key events
    PackedBits reconciled;  // secret: error correction's input (after AOPP)
    std::vector<wire::AoppPairing::Pair> pairs;
    std::optional<CascadeResponder> responder;
    std::optional<CascadeCorrector> corrector;
    SecretBits corrected;  // secret: the key after error correction (Bob), or Alice's reconciled key
    SecretBits amplified;  // secret: the compressed key, until it becomes the final key
    std::uint64_t certified_bits = 0;
    pp::EpsilonTerms epsilon;

    Impl(TrustedPartyConfig c, std::unique_ptr<RandomSource> r, security::ProtocolParameters p,
         security::ChoiceSource ch, session::Endpoint pe, session::Endpoint re)
        : config(std::move(c)), random(std::move(r)), protocol(std::move(p)), choices(ch), peer(std::move(pe)),
          relay(std::move(re)), self(config.role), other(config.role == Role::alice ? Role::bob : Role::alice) {
        security = security_of(config.params, config.eps_smooth);
        block_id = config.params.block_id;
    }

    ~Impl() { wipe_secrets(); }

    bool alice() const { return self == Role::alice; }
    security::Party party() const { return alice() ? security::Party::alice : security::Party::bob; }

    void wipe_secrets() {
        if (!mine.empty()) secure_wipe(mine.data(), mine.size() * sizeof(EventChoice));
        mine.clear();
        raw.wipe();
        reconciled.wipe();
        corrected.clear();
        amplified.clear();
        responder.reset();
        corrector.reset();
    }

    // ---- the table ----
    bool enter(const Input& input) {
        if (state == State::done || state == State::aborted) {
            // Terminal: frames that arrive after the end are ignored (an abort crossing a key
            // confirmation, a late report); the outcome stands.
            return false;
        }
        row = find_transition(self, state, input);
        if (row == nullptr) {
            const std::string what = input.event == Event::message
                                         ? std::string(wire::message_type_name(input.type)) + " from " +
                                               std::string(wire::role_name(input.from))
                                         : std::string("a local event");
            fail({Reason::unexpected_message, what + " in state " + std::string(state_name(state))});
            return false;
        }
        return true;
    }

    void move_to(State next, std::uint64_t now) {
        if (row == nullptr || (row->next & state_bit(next)) == 0) {
            fail({Reason::internal_error, "the move from " + std::string(state_name(state)) + " to " +
                                              std::string(state_name(next)) + " is not in the transition table"});
            return;
        }
        state = next;
        summary.history.emplace_back(next, now);
    }

    void fail(Failure f, std::uint64_t now = 0) {
        if (state == State::aborted) return;
        failure = f;
        // Tell the others why, on every channel still open. An endpoint that has failed (a bad tag,
        // an exhausted pool) cannot seal, and that is right: the peer then times out, and Charlie,
        // whose channel is untagged, still hears the reason.
        const wire::Message abort = session::abort_message(block_id, f);
        if (auto frame = peer.seal(abort); std::holds_alternative<Bytes>(frame))
            outgoing.push_back({other, std::get<Bytes>(std::move(frame))});
        if (auto frame = relay.seal(abort); std::holds_alternative<Bytes>(frame))
            outgoing.push_back({Role::charlie, std::get<Bytes>(std::move(frame))});
        end(now);
    }

    // Ends the block without a key: nothing more is sent or output, every secret is wiped.
    void end(std::uint64_t now) {
        // Mutant keep_key_after_abort: once made, the key is output whatever happens after.
        if (key && TFQKD_MUTANT(keep_key_after_abort)) {
            state = State::done;
            return;
        }
        state = State::aborted;
        summary.history.emplace_back(State::aborted, now);
        key.reset();
        wipe_secrets();
    }

    void send(Role to, const wire::Message& m) {
        if (state == State::aborted) return;
        session::Endpoint& e = to == Role::charlie ? relay : peer;
        auto frame = e.seal(m);
        if (std::holds_alternative<Failure>(frame)) {
            fail(std::get<Failure>(frame));
            return;
        }
        Bytes bytes = std::get<Bytes>(std::move(frame));
        ++summary.frames_sent;
        summary.bytes_sent += bytes.size();
        if (to != Role::charlie) {
            summary.authentication_bits_used += pp::kAuthenticationBitsPerTag;
            epsilon.authentication += pp::authentication_epsilon(bytes.size() - wire::kTagSize).value();
        }
        outgoing.push_back({to, std::move(bytes)});
    }

    // ---- inputs ----
    void start(std::uint64_t now) {
        if (!enter({Event::start})) return;
        last_activity = now;
        auto payload = wire::encode_message(wire::Message{config.params});
        if (!payload) return fail({Reason::internal_error, payload.error().to_string()}, now);
        params_payload = std::move(*payload);
        move_to(State::awaiting_acks, now);
        send(Role::bob, config.params);
        send(Role::charlie, config.params);
    }

    void tick(std::uint64_t now) {
        if (state == State::done || state == State::aborted) return;
        if (now < last_activity || now - last_activity < config.timeout_ns) return;
        if (TFQKD_MUTANT(no_timeout)) return;  // Mutant no_timeout: the wait goes on.
        if (!enter({Event::timeout})) return;
        fail({Reason::timeout, "no frame for " + std::to_string((now - last_activity) / 1'000'000) + " ms in state " +
                                   std::string(state_name(state))},
             now);
    }

    void receive(Role from, ByteSpan frame, std::uint64_t now) {
        if (state == State::done || state == State::aborted) return;
        if (from == self) return fail({Reason::protocol_violation, "a frame from the party itself"}, now);
        session::Endpoint& e = from == Role::charlie ? relay : peer;
        auto opened = e.open(frame);
        if (std::holds_alternative<Failure>(opened)) return fail(std::get<Failure>(opened), now);
        ++summary.frames_received;
        summary.bytes_received += frame.size();
        if (from != Role::charlie) {
            summary.authentication_bits_used += pp::kAuthenticationBitsPerTag;
            epsilon.authentication += pp::authentication_epsilon(frame.size() - wire::kTagSize).value();
        }
        last_activity = now;
        const wire::Message& message = std::get<wire::Message>(opened);
        const MessageType type = wire::type_of(message);
        if (!enter({Event::message, type, from})) return;
        std::visit([&](const auto& m) { handle(from, m, now); }, message);
        if (state == State::aborted) return;
        // Every handler moves; staying without a move_to is allowed only where the row allows the
        // same state (checked here so that a handler cannot skip the table).
        if ((row->next & state_bit(state)) == 0 && state != State::aborted)
            fail({Reason::internal_error, "state " + std::string(state_name(state)) + " not allowed by the row"}, now);
    }

    // The block id every payload starts with.
    template <class M>
    bool same_block(const M& m, std::uint64_t now) {
        // Mutant ignore_block_id: a message about another block is taken for one about this block.
        if (m.block_id == block_id || TFQKD_MUTANT(ignore_block_id)) return true;
        fail({Reason::unexpected_message, std::string(M::kName) + " about block " + std::to_string(m.block_id) +
                                              ", not block " + std::to_string(block_id)},
             now);
        return false;
    }

    template <class M>
    void handle(Role, const M&, std::uint64_t now) {
        // The table admitted a message type no handler takes: a bug of this file.
        fail({Reason::internal_error, std::string("no handler for ") + std::string(M::kName)}, now);
    }

    void handle(Role from, const wire::Abort& m, std::uint64_t now) {
        // An abort received is not answered: its sender has ended the block already.
        failure = Failure{m.reason, std::string(wire::role_name(from)) + " aborted: " + m.detail};
        end(now);
    }

    void handle(Role, const wire::SessionParams& m, std::uint64_t now) {
        // Bob: the proposal must be his configuration, byte for byte.
        if (!(m == config.params)) {
            // Mutant bob_adopts_proposal: Bob runs the block on whatever Alice proposes.
            if (!TFQKD_MUTANT(bob_adopts_proposal))
                return fail({Reason::parameter_mismatch, "session_params differ from this party's configuration"}, now);
            config.params = m;
            protocol = protocol_of(m);
            security = security_of(m, config.eps_smooth);
        }
        auto payload = wire::encode_message(wire::Message{m});
        if (!payload) return fail({Reason::internal_error, payload.error().to_string()}, now);
        wire::SessionParamsAck ack;
        ack.block_id = m.block_id;
        ack.params_digest = sha256(*payload);
        ack.capabilities = m.capabilities;
        move_to(State::collecting_reports, now);
        send(Role::alice, ack);
    }

    void handle(Role from, const wire::SessionParamsAck& m, std::uint64_t now) {
        if (!same_block(m, now)) return;
        const auto digest = sha256(params_payload);
        // Mutant alice_skips_ack_digest: an ack of other parameters is taken for an ack of hers.
        if (!constant_time_equal(digest, m.params_digest) && !TFQKD_MUTANT(alice_skips_ack_digest))
            return fail({Reason::parameter_mismatch, std::string(wire::role_name(from)) +
                                                         " acknowledged other session parameters (digest differs)"},
                        now);
        if (from == Role::bob) {
            if (ack_bob) return fail({Reason::protocol_violation, "a second ack from bob"}, now);
            if (m.capabilities != config.params.capabilities)
                return fail({Reason::parameter_mismatch, "bob accepted capabilities other than those proposed"}, now);
            ack_bob = true;
        } else {
            if (ack_charlie) return fail({Reason::protocol_violation, "a second ack from charlie"}, now);
            ack_charlie = true;
        }
        move_to(ack_bob && ack_charlie ? State::collecting_reports : State::awaiting_acks, now);
    }

    void handle(Role from, const wire::DetectionReport& m, std::uint64_t now) {
        if (!same_block(m, now)) return;
        // Mutant clamp_report_to_block: a report past the block is cut at its end, not refused.
        if (m.first_slot + m.slot_count > protocol.pulses && m.first_slot < protocol.pulses &&
            TFQKD_MUTANT(clamp_report_to_block))
            return handle(from, clamped(m, protocol.pulses), now);
        // Charlie is untrusted: the report is checked for form (the codec did), for continuing the
        // block where the previous one ended, and for staying inside it.
        // Mutant accept_report_out_of_order: a report that leaves a gap or overlaps is taken.
        if (m.first_slot != next_slot && !TFQKD_MUTANT(accept_report_out_of_order))
            return fail({Reason::protocol_violation, "detection_report starts at slot " + std::to_string(m.first_slot) +
                                                         "; the block continues at slot " + std::to_string(next_slot)},
                        now);
        if (m.first_slot + m.slot_count > protocol.pulses)
            return fail({Reason::protocol_violation, "detection_report covers slots beyond the block's " +
                                                         std::to_string(protocol.pulses)},
                        now);
        if (clicks.size() + m.slots.size() > config.max_events)
            return fail({Reason::protocol_violation, "more events than this party accepts (" +
                                                         std::to_string(config.max_events) + ")"},
                        now);
        for (std::size_t i = 0; i < m.slots.size(); ++i) {
            const security::SlotChoice c = choices.at(m.slots[i]);
            mine.push_back({c.setting, c.bit, c.slice});
            clicks.push_back(m.clicks[i]);
        }
        next_slot = m.first_slot + m.slot_count;
        reports_complete = next_slot == protocol.pulses;
        summary.events = clicks.size();
        if (!reports_complete) return move_to(State::collecting_reports, now);
        record.clicks = clicks;
        if (alice()) {
            move_to(State::awaiting_peer_sifting, now);
            record.alice_windows = windows_of(protocol, party(), mine);
            send(Role::bob, wire::SiftingAnnouncement{block_id, record.alice_windows});
            return;
        }
        if (!early_sifting) return move_to(State::awaiting_peer_sifting, now);
        const wire::SiftingAnnouncement s = std::move(*early_sifting);
        early_sifting.reset();
        bob_answers_sifting(s, now);
    }

    void handle(Role, const wire::SiftingAnnouncement& m, std::uint64_t now) {
        if (!same_block(m, now)) return;
        if (!alice() && state == State::collecting_reports) {
            if (early_sifting) return fail({Reason::protocol_violation, "a second sifting_announcement"}, now);
            early_sifting = m;
            return move_to(State::collecting_reports, now);
        }
        if (alice()) {
            if (auto ok = check_windows(m.windows, clicks.size(), "sifting_announcement"); !ok)
                return fail({Reason::protocol_violation, ok.error().to_string()}, now);
            record.bob_windows = m.windows;
            record.alice_entries = decoy_entries(protocol.family, record.alice_windows, record.bob_windows, mine);
            move_to(State::awaiting_peer_decoys, now);
            send(Role::bob, wire::DecoyAnnouncement{block_id, record.alice_entries});
            return;
        }
        bob_answers_sifting(m, now);
    }

    void bob_answers_sifting(const wire::SiftingAnnouncement& m, std::uint64_t now) {
        if (auto ok = check_windows(m.windows, clicks.size(), "sifting_announcement"); !ok)
            return fail({Reason::protocol_violation, ok.error().to_string()}, now);
        record.alice_windows = m.windows;
        record.bob_windows = windows_of(protocol, party(), mine);
        move_to(State::awaiting_peer_decoys, now);
        send(Role::alice, wire::SiftingAnnouncement{block_id, record.bob_windows});
    }

    void handle(Role, const wire::DecoyAnnouncement& m, std::uint64_t now) {
        if (!same_block(m, now)) return;
        const security::Party peer_party = alice() ? security::Party::bob : security::Party::alice;
        if (auto ok = check_entries(protocol, peer_party, record.alice_windows, record.bob_windows, m.entries); !ok)
            return fail({Reason::protocol_violation, ok.error().to_string()}, now);
        if (alice()) {
            record.bob_entries = m.entries;
        } else {
            record.alice_entries = m.entries;
            record.bob_entries = decoy_entries(protocol.family, record.alice_windows, record.bob_windows, mine);
            send(Role::alice, wire::DecoyAnnouncement{block_id, record.bob_entries});
        }
        auto s = sift(protocol, record);
        if (!s) return fail({Reason::internal_error, s.error().to_string()}, now);
        sifted = std::move(*s);
        summary.key_events = sifted.key_events.size();
        raw = raw_key_bits(protocol, party(), sifted, record, mine);
        // The choices are no longer needed: what is secret of them now lives in the raw key.
        secure_wipe(mine.data(), mine.size() * sizeof(EventChoice));
        mine.clear();
        mine.shrink_to_fit();
        if (protocol.aopp) {
            if (alice()) return move_to(State::awaiting_pairing, now);
            bob_pairs(now);
            return;
        }
        reconciled = std::move(raw);
        if (!check_length_before_ec(now)) return;
        begin_reconciliation(now);
    }

    // The no_key check: the certified length with nothing disclosed yet.
    bool check_length_before_ec(std::uint64_t now) {
        security::CountStatistics counts = sifted.counts;
        counts.key.ec_leakage_bits = static_cast<double>(summary.extra_leaked_bits);
        auto length = certify(protocol, security, counts);
        if (!length) {
            // Statistics the security layer refuses (more clicks in a class than its expected windows,
            // say: a rare class and a large fluctuation, or a relay that invents events) give no key.
            fail({Reason::no_key, "the statistics cannot be certified: " + length.error().to_string()}, now);
            return false;
        }
        summary.certified_bits_before_ec = length->bits;
        if (length->bits == 0) {
            fail({Reason::no_key, "the certified length is zero before error correction" +
                                      (length->zero_reason.empty() ? std::string() : ": " + length->zero_reason)},
                 now);
            return false;
        }
        return true;
    }

    // Bob, SNS with AOPP: pairs a random bit 0 with a random bit 1 of his raw key, as many as he can.
    void bob_pairs(std::uint64_t now) {
        std::vector<std::uint32_t> zeros, ones;
        for (std::size_t k = 0; k < raw.size(); ++k) (raw.get(k) ? ones : zeros).push_back(static_cast<std::uint32_t>(k));
        // Uniformly random choice and matching (docs/security.md 4.5, C6): shuffle both lists and
        // pair them in order (Fisher-Yates with the party's randomness).
        const auto shuffle = [&](std::vector<std::uint32_t>& v) {
            for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[random->below(i)]);
        };
        shuffle(zeros);
        shuffle(ones);
        const std::size_t g = std::min(zeros.size(), ones.size());
        std::vector<std::pair<std::uint32_t, std::uint32_t>> keyed;  // key positions
        keyed.reserve(g);
        for (std::size_t i = 0; i < g; ++i) keyed.emplace_back(std::min(zeros[i], ones[i]), std::max(zeros[i], ones[i]));
        std::sort(keyed.begin(), keyed.end());
        wire::AoppPairing msg;
        msg.block_id = block_id;
        msg.pairs.reserve(g);
        for (const auto& [a, b] : keyed) msg.pairs.push_back({sifted.key_events[a], sifted.key_events[b]});
        msg.bob_zeros = zeros.size();  // n_0^B and n_1^B, which Alice needs for the certified length
        msg.bob_ones = ones.size();
        summary.aopp = {static_cast<double>(zeros.size()), static_cast<double>(ones.size()), static_cast<double>(g)};
        secure_wipe(zeros.data(), zeros.size() * sizeof(std::uint32_t));
        secure_wipe(ones.data(), ones.size() * sizeof(std::uint32_t));
        pairs = msg.pairs;
        move_to(State::awaiting_parity, now);
        send(Role::alice, msg);
    }

    // Position of each key event in the raw key, for the pair checks.
    std::vector<std::uint32_t> key_positions() const {
        std::vector<std::uint32_t> pos(clicks.size(), UINT32_MAX);
        for (std::size_t k = 0; k < sifted.key_events.size(); ++k) pos[sifted.key_events[k]] = static_cast<std::uint32_t>(k);
        return pos;
    }

    void handle(Role, const wire::AoppPairing& m, std::uint64_t now) {
        if (!same_block(m, now)) return;
        const std::uint64_t n_t = sifted.key_events.size();
        if (m.bob_zeros + m.bob_ones != n_t)
            return fail({Reason::protocol_violation, "aopp_pairing counts " + std::to_string(m.bob_zeros) + " + " +
                                                         std::to_string(m.bob_ones) + " raw bits; the sifted key has " +
                                                         std::to_string(n_t)},
                        now);
        if (m.pairs.size() != std::min(m.bob_zeros, m.bob_ones))
            return fail({Reason::protocol_violation, "aopp_pairing pairs " + std::to_string(m.pairs.size()) +
                                                         " bits; AOPP pairs as many as the rarer value allows"},
                        now);
        const auto pos = key_positions();
        std::vector<bool> used(n_t, false);
        PackedBits parities(m.pairs.size());
        for (std::size_t i = 0; i < m.pairs.size(); ++i) {
            const auto [first, second] = m.pairs[i];
            if (first >= pos.size() || second >= pos.size() || pos[first] == UINT32_MAX || pos[second] == UINT32_MAX)
                return fail({Reason::protocol_violation, "aopp_pairing pair " + std::to_string(i) +
                                                             " names an event that is not a key event"},
                            now);
            const std::uint32_t a = pos[first], b = pos[second];
            // Mutant accept_aopp_reused_event: an event already paired is paired again.
            if ((used[a] || used[b]) && !TFQKD_MUTANT(accept_aopp_reused_event))
                return fail({Reason::protocol_violation,
                             "aopp_pairing pair " + std::to_string(i) + " reuses an event of an earlier pair"},
                            now);
            used[a] = used[b] = true;
            parities.set(i, raw.get(a) != raw.get(b));
        }
        pairs = m.pairs;
        keep_odd_pairs(parities, pos);
        summary.aopp = {static_cast<double>(m.bob_zeros), static_cast<double>(m.bob_ones),
                        static_cast<double>(m.pairs.size())};
        if (!aopp_statistics(parities, now)) return;
        move_to(State::reconciling, now);
        send(Role::bob, wire::AoppParity{block_id, parities});
        if (state != State::aborted) begin_reconciliation(now);
    }

    void handle(Role, const wire::AoppParity& m, std::uint64_t now) {
        if (!same_block(m, now)) return;
        if (m.parities.size() != pairs.size())
            return fail({Reason::protocol_violation, "aopp_parity has " + std::to_string(m.parities.size()) +
                                                         " parities for " + std::to_string(pairs.size()) + " pairs"},
                        now);
        keep_odd_pairs(m.parities, key_positions());
        if (!aopp_statistics(m.parities, now)) return;
        move_to(State::reconciling, now);
        begin_reconciliation(now);
    }

    // The reconciled key: the first bit of every pair of odd parity, allocated once at its final size
    // so that no copy of key bits is left behind by a growing buffer.
    void keep_odd_pairs(const PackedBits& parities, const std::vector<std::uint32_t>& pos) {
        reconciled = PackedBits(parities.popcount());
        std::uint64_t k = 0;
        for (std::size_t i = 0; i < pairs.size(); ++i)
            if (parities.get(i)) {
                // Mutant aopp_keeps_second_bit: the second event's bit is kept, not the first's.
                const std::uint32_t kept = TFQKD_MUTANT(aopp_keeps_second_bit) ? pairs[i].second : pairs[i].first;
                reconciled.set(k++, raw.get(pos[kept]));
            }
    }

    // After AOPP: the key counts describe the surviving pairs; the announced raw-key counts are
    // leakage (docs/protocol.md 3.3).
    bool aopp_statistics(const PackedBits& parities, std::uint64_t now) {
        sifted.counts.aopp = summary.aopp;
        sifted.counts.key.effective = static_cast<double>(parities.popcount());
        // Mutant omit_aopp_leakage: the announced counts are taken to reveal nothing.
        summary.extra_leaked_bits = TFQKD_MUTANT(omit_aopp_leakage) ? 0 : ceil_log2_plus_one(sifted.key_events.size());
        raw.wipe();
        return check_length_before_ec(now);
    }

    CascadeConfig cascade_config() const {
        CascadeConfig c;
        c.block_id = block_id;
        // Public: the permutations only need to be unpredictable before the keys are fixed, and the
        // session id is fresh per session.
        c.shuffle_seed = CounterRng(config.session_id, block_id).at(0);
        return c;
    }

    void begin_reconciliation(std::uint64_t now) {
        summary.reconciled_bits = reconciled.size();
        CascadeConfig c = cascade_config();
        auto schedule = CascadeSchedule::demystifying(reconciled.size(), config.cascade_qber_estimate);
        if (!schedule) return fail({Reason::internal_error, schedule.error().to_string()}, now);
        c.schedule = std::move(*schedule);
        if (alice()) {
            auto r = CascadeResponder::create(c, reconciled);
            if (!r) return fail({Reason::internal_error, r.error().to_string()}, now);
            responder.emplace(std::move(*r));
            if (state != State::reconciling) move_to(State::reconciling, now);
            return;
        }
        auto k = CascadeCorrector::create(c, reconciled);
        if (!k) return fail({Reason::internal_error, k.error().to_string()}, now);
        corrector.emplace(std::move(*k));
        if (state != State::reconciling) move_to(State::reconciling, now);
        for (auto& q : corrector->take_queries()) send(Role::alice, q);
    }

    void handle(Role, const wire::CascadeParityQuery& m, std::uint64_t now) {
        auto reply = responder->answer(m);
        if (!reply) {
            // Mutant cascade_answers_refused_query: a query the responder refuses gets zero parities.
            if (!TFQKD_MUTANT(cascade_answers_refused_query))
                return fail({Reason::protocol_violation, reply.error().to_string()}, now);
            reply = wire::CascadeParityReply{m.block_id, m.query_id, PackedBits(m.ranges.size())};
        }
        summary.disclosed_bits = responder->disclosed_bits();
        move_to(State::reconciling, now);
        send(Role::bob, *reply);
    }

    void handle(Role, const wire::CascadeParityReply& m, std::uint64_t now) {
        if (auto ok = corrector->receive_reply(m); !ok)
            return fail({Reason::protocol_violation, ok.error().to_string()}, now);
        summary.disclosed_bits = corrector->disclosed_bits();
        summary.round_trips = corrector->round_trips();
        summary.corrected_bits = corrector->corrected_bits();
        if (corrector->state() != ReconciliationState::finished) {
            move_to(State::reconciling, now);
            for (auto& q : corrector->take_queries()) send(Role::alice, q);
            return;
        }
        auto key_bits = corrector->corrected_key();
        if (!key_bits) return fail({Reason::internal_error, key_bits.error().to_string()}, now);
        corrected = SecretBits::copy_of(*key_bits);
        key_bits->wipe();
        reconciled.wipe();
        corrector.reset();
        pp::PolyHashKey seed{};
        random->fill(seed);
        move_to(State::awaiting_amplification, now);
        send(Role::alice, pp::make_verification(block_id, corrected, seed));
    }

    void handle(Role, const wire::Verification& m, std::uint64_t now) {
        corrected = SecretBits::copy_of(reconciled);
        reconciled.wipe();
        summary.disclosed_bits = responder->disclosed_bits();
        responder.reset();
        if (auto ok = pp::check_verification(m, block_id, corrected); !ok) {
            const bool mismatch = ok.error().field == "tag";
            // Mutant skip_verification_compare: keys that differ go on to privacy amplification.
            if (!mismatch || !TFQKD_MUTANT(skip_verification_compare))
                return fail(
                    {mismatch ? Reason::verification_failed : Reason::protocol_violation, ok.error().to_string()}, now);
        }
        if (!certify_final(now)) return;
        wire::PrivacyAmplification pa;
        pa.block_id = block_id;
        pa.input_bits = static_cast<std::uint32_t>(corrected.size());
        pa.output_bits = static_cast<std::uint32_t>(certified_bits);
        pa.seed = PackedBits(corrected.size() + certified_bits - 1);
        // The seed is public but must be uniform and chosen after the keys are fixed.
        {
            Bytes seed_bytes(PackedBits::byte_count(pa.seed.size()));
            random->fill(seed_bytes);
            for (std::uint64_t i = 0; i < pa.seed.size(); ++i)
                pa.seed.set(i, ((seed_bytes[i / 8] >> (7 - i % 8)) & 1U) != 0);
        }
        if (!amplify(pa, now)) return;
        // The key is made once the frame is sent, so that its authentication term counts this
        // frame's tag as Bob's does (he makes his after receiving it): equal metadata at both ends.
        move_to(State::awaiting_confirmation, now);
        send(Role::bob, pa);
        if (state != State::aborted) make_key(now);
    }

    // The final certification, with the bits error correction disclosed.
    bool certify_final(std::uint64_t now) {
        security::CountStatistics counts = sifted.counts;
        // Mutant leakage_counted_in_bytes: the disclosed parities are counted in bytes.
        const std::uint64_t disclosed =
            TFQKD_MUTANT(leakage_counted_in_bytes) ? summary.disclosed_bits / 8 : summary.disclosed_bits;
        counts.key.ec_leakage_bits = static_cast<double>(disclosed + summary.extra_leaked_bits);
        auto length = certify(protocol, security, counts);
        if (!length) {
            fail({Reason::internal_error, "certification failed: " + length.error().to_string()}, now);
            return false;
        }
        // Mutant claim_counts_without_leakage: the statistics reported are those sifted, before the
        // leakage was added (the length itself is certified with it).
        summary.counts = TFQKD_MUTANT(claim_counts_without_leakage) ? sifted.counts : counts;
        summary.certified = *length;
        // Mutant overclaim_key_length: 64 bits more than certified (a looser bound, a dropped term).
        certified_bits = std::min<std::uint64_t>(length->bits + (TFQKD_MUTANT(overclaim_key_length) ? 64 : 0),
                                                 corrected.size());
        if (certified_bits == 0) {
            fail({Reason::qber_too_high, "the certified length after error correction is zero (" +
                                             std::to_string(summary.disclosed_bits) + " bits disclosed)"},
                 now);
            return false;
        }
        epsilon.correctness = pp::verification_epsilon(corrected.size()).value();
        epsilon.secrecy = security.eps_pa + security.eps_smooth;
        epsilon.parameter_estimation = length->breakdown.estimates * security.eps_pe;
        return true;
    }

    // Compresses the corrected key to the certified length.
    bool amplify(const wire::PrivacyAmplification& pa, std::uint64_t now) {
        pp::ToeplitzHasher hasher;
        // Mutant bob_zero_pa_seed: Bob hashes with an all-zero seed, not the one Alice sent.
        auto out = !alice() && TFQKD_MUTANT(bob_zero_pa_seed)
                       ? hasher.hash(PackedBits(pa.seed.size()), corrected, pa.output_bits)
                       : hasher.hash(pa.seed, corrected, pa.output_bits);
        if (!out) {
            fail({Reason::internal_error, out.error().to_string()}, now);
            return false;
        }
        amplified = std::move(*out);
        return true;
    }

    // The final key with its metadata. Called once the privacy_amplification frame has crossed the
    // channel (sent by Alice, received by Bob), so that the authentication term is the same at both
    // ends: the tags of every peer frame up to and including it, each counted once.
    bool make_key(std::uint64_t now) {
        pp::KeyMetadata meta;
        meta.session_id = config.session_id;
        meta.block_id = block_id;
        meta.length_bits = amplified.size();
        meta.reconciled_bits = corrected.size();
        meta.leaked_bits = summary.disclosed_bits + summary.extra_leaked_bits + pp::kVerificationLeakedBits;
        meta.epsilon = epsilon;
        auto final_key = pp::FinalKey::make(meta, std::move(amplified));
        if (!final_key) {
            fail({Reason::internal_error, final_key.error().to_string()}, now);
            return false;
        }
        key.emplace(std::move(*final_key));
        corrected.clear();
        return true;
    }

    void handle(Role, const wire::PrivacyAmplification& m, std::uint64_t now) {
        if (!same_block(m, now)) return;
        if (m.input_bits != corrected.size())
            return fail({Reason::parameter_mismatch, "privacy_amplification input_bits " + std::to_string(m.input_bits) +
                                                         " differs from the corrected key's " +
                                                         std::to_string(corrected.size())},
                        now);
        if (!certify_final(now)) return;
        if (m.output_bits != certified_bits)
            return fail({Reason::parameter_mismatch, "privacy_amplification output_bits " +
                                                         std::to_string(m.output_bits) +
                                                         " differs from the certified length " +
                                                         std::to_string(certified_bits)},
                        now);
        if (!amplify(m, now) || !make_key(now)) return;
        // Bob confirms first, keyed from the receive pool (docs/protocol.md 3.4).
        auto tag = confirmation(session::Endpoint::PoolSide::receive, now);
        if (!tag) return;
        move_to(State::awaiting_confirmation, now);
        send(Role::alice, wire::KeyConfirmation{block_id, static_cast<std::uint32_t>(key->metadata().length_bits), *tag});
    }

    std::optional<wire::Tag> confirmation(session::Endpoint::PoolSide side, std::uint64_t now) {
        Bytes message = confirmation_message(config.session_id, block_id, key->bits());
        auto tag = peer.pool_tag(message, side);
        wipe_bytes(message);
        if (std::holds_alternative<Failure>(tag)) {
            fail(std::get<Failure>(tag), now);
            return std::nullopt;
        }
        summary.authentication_bits_used += pp::kAuthenticationBitsPerTag;
        return std::get<wire::Tag>(tag);
    }

    void handle(Role, const wire::KeyConfirmation& m, std::uint64_t now) {
        if (!same_block(m, now)) return;
        if (m.key_bits != key->metadata().length_bits)
            return fail({Reason::verification_failed, "key_confirmation for a key of " + std::to_string(m.key_bits) +
                                                          " bits; this party's has " +
                                                          std::to_string(key->metadata().length_bits)},
                        now);
        // The peer keyed its confirmation from the pool of the other direction: Bob from the
        // Alice -> Bob pool (Alice's send pool), Alice from the Bob -> Alice pool (Bob's send pool).
        auto expected = confirmation(session::Endpoint::PoolSide::send, now);
        if (!expected) return;
        // Mutant skip_confirmation_check: the peer's confirmation is not compared with the key's.
        if (!constant_time_equal(*expected, m.confirmation) && !TFQKD_MUTANT(skip_confirmation_check))
            return fail({Reason::verification_failed, "key_confirmation does not match this party's key"}, now);
        if (alice()) {
            auto mine_tag = confirmation(session::Endpoint::PoolSide::receive, now);
            if (!mine_tag) return;
            send(Role::bob,
                 wire::KeyConfirmation{block_id, static_cast<std::uint32_t>(key->metadata().length_bits), *mine_tag});
            if (state == State::aborted) return;
        }
        move_to(State::done, now);
    }
};

Result<TrustedParty> TrustedParty::create(TrustedPartyConfig config, std::unique_ptr<RandomSource> random) {
    constexpr std::string_view kParty = "party";
    if (config.role != Role::alice && config.role != Role::bob)
        return make_error(Errc::invalid_argument, kParty, "role", "a trusted party is alice or bob");
    if (!random) return make_error(Errc::invalid_argument, kParty, "random", "a random source is needed");
    TFQKD_TRY(config.params.check());
    const security::ProtocolParameters protocol = protocol_of(config.params);
    TFQKD_TRY(check_session_protocol(protocol));
    auto choices = security::ChoiceSource::create(
        protocol, config.role == Role::alice ? security::Party::alice : security::Party::bob, config.choice_seed);
    if (!choices) return choices.error();
    const bool alice = config.role == Role::alice;
    const Role other = alice ? Role::bob : Role::alice;
    pp::KeyPool a2b(std::move(config.pools.alice_to_bob));
    pp::KeyPool b2a(std::move(config.pools.bob_to_alice));
    auto peer = alice ? session::Endpoint::peer(Role::alice, other, config.session_id, std::move(a2b), std::move(b2a))
                      : session::Endpoint::peer(Role::bob, other, config.session_id, std::move(b2a), std::move(a2b));
    auto relay = session::Endpoint::relay(config.role, Role::charlie, config.session_id);
    auto impl = std::make_unique<Impl>(std::move(config), std::move(random), protocol, *choices, std::move(peer),
                                       std::move(relay));
    impl->summary.history.emplace_back(State::idle, 0);
    return TrustedParty(std::move(impl));
}

TrustedParty::TrustedParty(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TrustedParty::TrustedParty(TrustedParty&&) noexcept = default;
TrustedParty& TrustedParty::operator=(TrustedParty&&) noexcept = default;
TrustedParty::~TrustedParty() = default;

void TrustedParty::start(std::uint64_t now_ns) { impl_->start(now_ns); }
void TrustedParty::receive(Role from, ByteSpan frame, std::uint64_t now_ns) { impl_->receive(from, frame, now_ns); }
void TrustedParty::tick(std::uint64_t now_ns) { impl_->tick(now_ns); }
std::vector<Outgoing> TrustedParty::take_outgoing() { return std::exchange(impl_->outgoing, {}); }
State TrustedParty::state() const noexcept { return impl_->state; }
Role TrustedParty::role() const noexcept { return impl_->self; }
const std::optional<Failure>& TrustedParty::failure() const noexcept { return impl_->failure; }
const std::optional<pp::FinalKey>& TrustedParty::key() const noexcept { return impl_->key; }
std::optional<pp::FinalKey> TrustedParty::take_key() {
    if (impl_->state != State::done) return std::nullopt;
    return std::exchange(impl_->key, std::nullopt);
}
const PartySummary& TrustedParty::summary() const noexcept { return impl_->summary; }

Result<PeerPools> TrustedParty::next_block_pools(std::uint64_t bits_per_direction) {
    constexpr std::string_view kParty = "party";
    Impl& p = *impl_;
    if (p.state != State::done || !p.key)
        return make_error(Errc::invalid_argument, kParty, "state", "the pools are handed over once the block is done");
    const std::uint64_t size = p.key->bits().size();
    if (bits_per_direction > size / 2 || 2 * bits_per_direction >= size)
        return make_error(Errc::out_of_range, kParty, "bits_per_direction",
                          "the key has " + std::to_string(size) + " bits; at most half of it, less one bit, can go to "
                          "the pools");
    pp::KeyMetadata meta = p.key->metadata();
    SecretBits bits = p.key->release_bits();
    SecretBits to_bob = bits.slice(0, bits_per_direction);
    SecretBits to_alice = bits.slice(bits_per_direction, bits_per_direction);
    SecretBits rest = bits.slice(2 * bits_per_direction, size - 2 * bits_per_direction);
    bits.clear();
    meta.length_bits = rest.size();
    meta.pool_bits = 2 * bits_per_direction;
    auto kept = pp::FinalKey::make(meta, std::move(rest));
    if (!kept) return kept.error();
    p.key.emplace(std::move(*kept));
    // The endpoint's send pool is Alice -> Bob for Alice and Bob -> Alice for Bob.
    auto [send, receive] = p.peer.release_pools();
    PeerPools out;
    out.alice_to_bob = p.alice() ? std::move(send) : std::move(receive);
    out.bob_to_alice = p.alice() ? std::move(receive) : std::move(send);
    out.alice_to_bob.append(to_bob);
    out.bob_to_alice.append(to_alice);
    return out;
}
const security::ProtocolParameters& TrustedParty::protocol() const noexcept { return impl_->protocol; }

// ---- Charlie --------------------------------------------------------------------------------------

Charlie::Charlie(CharlieConfig config)
    : config_(config),
      to_alice_(session::Endpoint::relay(Role::charlie, Role::alice, config.session_id)),
      to_bob_(session::Endpoint::relay(Role::charlie, Role::bob, config.session_id)) {}

bool Charlie::enter(const Input& input) {
    if (state_ == State::aborted) return false;
    row_ = find_transition(Role::charlie, state_, input);
    if (row_ == nullptr) {
        if (state_ == State::done) return false;  // late frames after his work is over
        fail({Reason::unexpected_message, "charlie cannot take this input in state " + std::string(state_name(state_))});
        return false;
    }
    return true;
}

void Charlie::move_to(State next) {
    if (row_ == nullptr || (row_->next & state_bit(next)) == 0) {
        fail({Reason::internal_error, "charlie's move to " + std::string(state_name(next)) + " is not in the table"});
        return;
    }
    state_ = next;
}

void Charlie::fail(Failure failure) {
    if (state_ == State::aborted) return;
    failure_ = failure;
    const wire::Message abort = session::abort_message(block_id_, failure);
    if (auto f = to_alice_.seal(abort); std::holds_alternative<Bytes>(f))
        outgoing_.push_back({Role::alice, std::get<Bytes>(std::move(f))});
    if (auto f = to_bob_.seal(abort); std::holds_alternative<Bytes>(f))
        outgoing_.push_back({Role::bob, std::get<Bytes>(std::move(f))});
    state_ = State::aborted;
}

void Charlie::send(Role to, const wire::Message& message) {
    auto f = (to == Role::alice ? to_alice_ : to_bob_).seal(message);
    if (std::holds_alternative<Failure>(f)) return fail(std::get<Failure>(f));
    outgoing_.push_back({to, std::get<Bytes>(std::move(f))});
}

void Charlie::receive(Role from, ByteSpan frame, std::uint64_t now_ns) {
    if (state_ == State::aborted) return;
    if (from == Role::charlie) return fail({Reason::protocol_violation, "a frame from charlie himself"});
    auto opened = (from == Role::alice ? to_alice_ : to_bob_).open(frame);
    if (std::holds_alternative<Failure>(opened)) {
        if (state_ == State::done) return;
        return fail(std::get<Failure>(opened));
    }
    last_activity_ = now_ns;
    const wire::Message& m = std::get<wire::Message>(opened);
    if (!enter({Event::message, wire::type_of(m), from})) return;
    if (const auto* abort = std::get_if<wire::Abort>(&m)) {
        if (state_ == State::done) return;
        failure_ = Failure{abort->reason, std::string(wire::role_name(from)) + " aborted: " + abort->detail};
        state_ = State::aborted;
        return;
    }
    if (const auto* params = std::get_if<wire::SessionParams>(&m)) {
        auto payload = wire::encode_message(m);
        if (!payload) return fail({Reason::internal_error, payload.error().to_string()});
        block_id_ = params->block_id;
        pulses_ = params->pulse_count;
        wire::SessionParamsAck ack;
        ack.block_id = block_id_;
        // Mutant charlie_digests_frame: the digest covers the frame as received, header and all.
        ack.params_digest = sha256(TFQKD_MUTANT(charlie_digests_frame) ? frame : ByteSpan(*payload));
        ack.capabilities = 0;  // Charlie takes part in no optional feature
        move_to(State::measuring);
        send(Role::alice, ack);
        pending_.block_id = block_id_;
        pending_.first_slot = 0;
        return;
    }
    fail({Reason::internal_error, "charlie's table admitted a message he has no handler for"});
}

void Charlie::detections(std::span<const Detection> batch, std::uint64_t now_ns) {
    if (!enter({Event::detections})) return;
    last_activity_ = now_ns;
    for (const Detection& d : batch) {
        if (d.slot >= pulses_ || (any_detection_ && d.slot <= last_detection_))
            return fail({Reason::internal_error, "detections out of order or outside the block"});
        any_detection_ = true;
        last_detection_ = d.slot;
        pending_.slots.push_back(d.slot);
        // Mutant charlie_swaps_clicks: the detectors' labels are crossed.
        pending_.clicks.push_back(d.click != wire::DetectionReport::Click::both && TFQKD_MUTANT(charlie_swaps_clicks)
                                      ? other_detector(d.click)
                                      : d.click);
        if (pending_.slots.size() >= config_.events_per_report) flush(false);
    }
    move_to(State::measuring);
}

void Charlie::detections_complete(std::uint64_t now_ns) {
    if (!enter({Event::detections_complete})) return;
    last_activity_ = now_ns;
    // Mutant charlie_no_final_report: the report that closes the block is never sent.
    if (!TFQKD_MUTANT(charlie_no_final_report)) flush(true);
    if (state_ != State::aborted) move_to(State::done);
}

// Sends the pending events as one report to each party. A report covers the slots from where the
// previous one ended to just after its last event, or to the end of the block for the last one.
void Charlie::flush(bool final) {
    if (pending_.slots.empty() && !final) return;
    // Mutant charlie_last_report_short: the last report ends at the block's last slot index, N - 1.
    const std::uint64_t end = final ? pulses_ - (TFQKD_MUTANT(charlie_last_report_short) ? 1 : 0)
                                    : pending_.slots.back() + 1;
    if (end == next_slot_) return;  // nothing left to cover
    pending_.first_slot = next_slot_;
    pending_.slot_count = end - next_slot_;
    reported_events_ += pending_.slots.size();
    send(Role::alice, pending_);
    send(Role::bob, pending_);
    next_slot_ = end;
    pending_.slots.clear();
    pending_.clicks.clear();
}

void Charlie::tick(std::uint64_t now_ns) {
    if (state_ == State::done || state_ == State::aborted) return;
    if (now_ns < last_activity_ || now_ns - last_activity_ < config_.timeout_ns) return;
    if (TFQKD_MUTANT(no_timeout)) return;  // Mutant no_timeout: the wait goes on.
    if (!enter({Event::timeout})) return;
    fail({Reason::timeout, "charlie waited too long in state " + std::string(state_name(state_))});
}

std::vector<Outgoing> Charlie::take_outgoing() { return std::exchange(outgoing_, {}); }

}  // namespace tfqkd::party
