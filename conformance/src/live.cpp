// The live catalogue and its grades: conformance/live.hpp, docs/vendor-guide.md section 7.
#include "conformance/live.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <rapidcheck.h>

#include "hardware_model/scenario.hpp"
#include "live_session.hpp"
#include "shim_process.hpp"

namespace tfqkd::conformance {

namespace {

using live::Fault;
using live::Mismatch;
using wire::MessageType;
using wire::Role;
namespace sc = hardware_model::scenario;

// What a test expects of the shim.
enum class Expect {
    key,     // done, with the key of the reference peer (Charlie: both reference parties have equal keys)
    no_key,  // aborted; `reasons` are the reasons that pass (empty: any), another reason is informational
    either,  // a lie the protocol may survive: aborted, or done with the reference peer's key
};

struct Case {
    std::string id, requirement, title;
    live::SessionSpec spec;
    Expect expect = Expect::key;
    std::vector<std::string> reasons;
    bool claim = false;  // an honest session: also grades the key-length claim (id ".claim.")
};

constexpr const char* kFlow = "docs/protocol.md 3.1-3.4";

// The frame of the peer each fault of the shim's role acts on: the first message that the shim
// receives from its peer after the acknowledgements (the windows), unless the fault needs another.
MessageType peer_target(Role shim) {
    return shim == Role::charlie ? MessageType::session_params : MessageType::sifting_announcement;
}

std::vector<Case> catalogue(std::uint64_t seed) {
    std::vector<Case> cases;
    const auto add = [&](Role role, std::string group, std::string name, std::string requirement, std::string title,
                         Fault fault, MessageType target, Expect expect, std::vector<std::string> reasons,
                         std::string family = "sns-aopp") {
        Case c;
        c.id = "live." + std::string(wire::role_name(role)) + "." + group + "." + name;
        c.requirement = std::move(requirement);
        c.title = std::string(wire::role_name(role)) + ": " + title;
        c.spec.family = std::move(family);
        c.spec.shim_role = role;
        c.spec.fault = fault;
        c.spec.target = target;
        c.spec.seed = seed;
        c.expect = expect;
        c.reasons = std::move(reasons);
        cases.push_back(std::move(c));
        return &cases.back();
    };
    for (Role r : {Role::alice, Role::bob, Role::charlie}) {
        const bool trusted = r != Role::charlie;
        const std::string peer = r == Role::alice ? "Bob's" : r == Role::bob ? "Alice's" : "Alice's";
        const MessageType t = peer_target(r);
        // SNS with AOPP: at the block size a test can afford (10^8 pulses) it is the family whose
        // finite-key bound leaves a key (SNS without AOPP, PM and CAL19 need blocks 10-100 times larger).
        add(r, "honest", "sns-aopp", kFlow, "an honest session (SNS with AOPP) ends with the reference peer's key",
            Fault::none, t, Expect::key, {}, "sns-aopp")
            ->claim = trusted;
        // The network: no key material, so the shim's tags, sequence numbers and states must tell.
        if (trusted) {
            add(r, "network", "tamper-payload", "docs/wire-format.md WF-FRM-4; docs/protocol.md 4",
                "a payload bit of " + peer + " sifting announcement flipped: authentication fails", Fault::tamper_payload, t,
                Expect::no_key, {"authentication_failed"});
            add(r, "network", "tamper-tag", "docs/wire-format.md WF-FRM-4; docs/protocol.md 4",
                "a tag bit of " + peer + " sifting announcement flipped: authentication fails", Fault::tamper_tag, t,
                Expect::no_key, {"authentication_failed"});
            add(r, "network", "replay", "docs/wire-format.md WF-FRM-7; docs/protocol.md 2, 4",
                peer + " sifting announcement delivered twice", Fault::replay, t, Expect::no_key,
                {"authentication_failed", "protocol_violation", "unexpected_message"});
            // The peer channel strictly alternates (docs/protocol.md 3.1): a network can reorder only
            // the relay's reports, which Charlie sends back to back.
            add(r, "network", "reorder", "docs/protocol.md 3.1, 4 (protocol_violation)",
                "Charlie's first two detection reports delivered in the opposite order", Fault::reorder,
                MessageType::detection_report, Expect::no_key, {"protocol_violation"});
        }
        add(r, "network", "drop", "docs/protocol.md 4 (timeout)",
            peer + (trusted ? " sifting announcement" : " proposal") + " never arrives: the shim ends on its time limit",
            Fault::drop, t, Expect::no_key, {"timeout", "protocol_violation"});
        add(r, "network", "garbage", "docs/wire-format.md WF-FRM-1; docs/protocol.md 4 (decode_error)",
            "bytes that are not a frame on the wire", Fault::garbage, t, Expect::no_key, {"decode_error"});
        // An authenticated peer that breaks the protocol: the tags verify, the content does not.
        add(r, "peer", "truncated", "docs/wire-format.md WF-FRM-5, WF-FRM-6; docs/protocol.md 4 (decode_error)",
            peer + " frame with its payload cut by one byte (length and tag consistent)", Fault::truncated, t,
            Expect::no_key, {"decode_error"});
        add(r, "peer", "oversized", "docs/wire-format.md WF-FRM-5; docs/protocol.md 4 (decode_error)",
            "a frame header announcing a payload of 2^30 + 1 bytes", Fault::oversized, t, Expect::no_key,
            {"decode_error"});
        if (trusted)
            add(r, "peer", "out-of-state", "docs/protocol.md 5 (the transition table), 4 (unexpected_message)",
                "a key confirmation in place of " + peer + " sifting announcement", Fault::out_of_state, t,
                Expect::no_key, {"unexpected_message", "protocol_violation"});
        add(r, "peer", "wrong-session", "docs/wire-format.md WF-FRM-7; docs/protocol.md 2",
            "a frame of another session (header session_id)", Fault::wrong_session, t, Expect::no_key,
            {"protocol_violation"});
        add(r, "peer", "sequence-skip", "docs/wire-format.md WF-FRM-7; docs/protocol.md 2",
            "a frame whose sequence number skips one", Fault::sequence_skip, t, Expect::no_key, {"protocol_violation"});
        if (trusted) {
            add(r, "peer", "wrong-block", "docs/protocol.md 2, 4 (unexpected_message)",
                peer + " sifting announcement about another block", Fault::wrong_block, t, Expect::no_key,
                {"unexpected_message", "protocol_violation"});
            add(r, "peer", "bad-confirmation", "docs/protocol.md 3.4 (key confirmation)",
                peer + " key confirmation changed (re-tagged): no key may be output", Fault::bad_confirmation,
                MessageType::key_confirmation, Expect::no_key, {"verification_failed"});
        }
        if (r == Role::alice) {
            add(r, "peer", "wrong-verification", "docs/protocol.md 3.4 (verification)",
                "Bob's verification hash changed (re-tagged)", Fault::wrong_verification, MessageType::verification,
                Expect::no_key, {"verification_failed"});
            add(r, "peer", "aopp-reused-pair", "docs/protocol.md 3.3; 4 (protocol_violation)",
                "Bob's AOPP pairs use one event twice", Fault::aopp_reused_pair, MessageType::aopp_pairing,
                Expect::no_key, {"protocol_violation"});
            add(r, "peer", "cascade-out-of-range", "docs/protocol.md 3.4; 4 (protocol_violation)",
                "a Cascade query about bits past the key", Fault::cascade_out_of_range, MessageType::cascade_parity_query,
                Expect::no_key, {"protocol_violation"});
        }
        // The lying relay (Charlie is untrusted: docs/protocol.md 1).
        if (trusted) {
            const std::string relay = "docs/protocol.md 1 (Charlie is untrusted), 3.2";
            add(r, "relay", "invent", relay, "Charlie reports clicks in slots where nobody clicked (to both)",
                Fault::relay_invent, MessageType::detection_report, Expect::either, {});
            add(r, "relay", "hide", relay, "Charlie leaves out one click in twenty (to both)", Fault::relay_hide,
                MessageType::detection_report, Expect::either, {});
            add(r, "relay", "move", relay, "Charlie moves one click in twenty to the next slot (to both)",
                Fault::relay_move, MessageType::detection_report, Expect::either, {});
            add(r, "relay", "beyond-block", "docs/protocol.md 3.1, 4 (protocol_violation)",
                "Charlie's last report runs past the block's N slots", Fault::relay_beyond_block,
                MessageType::detection_report, Expect::no_key, {"protocol_violation"});
            add(r, "relay", "overlap", "docs/protocol.md 3.1, 4 (protocol_violation)",
                "Charlie's second report starts inside the slots of his first", Fault::relay_overlap,
                MessageType::detection_report, Expect::no_key, {"protocol_violation"})
                ->spec.occurrence = 2;
            add(r, "relay", "split-view", relay, "Charlie tells the shim fewer clicks than its peer", Fault::relay_split_view,
                MessageType::detection_report, Expect::no_key, {});
        }
        if (r == Role::alice)
            add(r, "relay", "bad-ack-digest", "docs/protocol.md 3.1, 4 (parameter_mismatch)",
                "Charlie acknowledges other parameters than Alice proposed", Fault::relay_bad_ack_digest,
                MessageType::session_params_ack, Expect::no_key, {"parameter_mismatch"});
        // Parameter mismatches: the reference peer is configured otherwise.
        if (trusted) {
            for (auto [name, m] : {std::pair{"intensity", Mismatch::intensity}, std::pair{"pulses", Mismatch::pulses},
                                   std::pair{"epsilon", Mismatch::epsilon}}) {
                Case* c = add(r, "params", name, "docs/protocol.md 4 (parameter_mismatch)",
                              std::string(r == Role::bob ? "Alice proposes" : "Bob's configuration allows") +
                                  " other parameters (" + name + ")",
                              Fault::none, t, Expect::no_key, {"parameter_mismatch"});
                c->spec.mismatch = m;
            }
            // Pools for six tags a direction: the session cannot finish; no tag may reuse key bits.
            Case* c = add(r, "pool", "exhausted", "docs/protocol.md 3.6, 4 (auth_pool_exhausted)",
                          "authentication pools of six tags a direction run out mid-session", Fault::none, t,
                          Expect::no_key, {"auth_pool_exhausted", "timeout"});
            c->spec.pool_bits = 6 * 256;
        }
    }
    return cases;
}

std::string reasons_text(const std::vector<std::string>& reasons) {
    std::string s;
    for (const auto& r : reasons) s += (s.empty() ? "" : " or ") + r;
    return s;
}

const live::HarnessParty* harness_party(const live::SessionRun& run, Role role) {
    for (const auto& h : run.harness)
        if (h.role == role) return &h;
    return nullptr;
}

std::string party_text(const live::HarnessParty& h) {
    if (h.state == party::State::done) return std::string(wire::role_name(h.role)) + " done" +
                                              (h.key_bits ? " with " + std::to_string(h.key_bits) + " key bits" : "");
    return std::string(wire::role_name(h.role)) + " " + std::string(party::state_name(h.state)) +
           (h.failure ? ": " + std::string(wire::reason_name(h.failure->reason)) + " (" + h.failure->detail + ")" : "");
}

std::string trace_of(const live::SessionRun& run) {
    std::string t;
    for (const auto& line : run.trace) t += "harness: " + line + "\n";
    for (const auto& h : run.harness) t += "reference " + party_text(h) + "\n";
    if (run.outcome) {
        const auto& o = *run.outcome;
        t += "shim outcome: " + std::string(o.done ? "done" : "aborted: " + o.reason + " (" + o.detail + ")") +
             (o.done && o.key_bits ? ", " + std::to_string(o.key_bits) + " key bits" : "") + "\n";
    }
    if (run.exit_code) t += "shim exit code " + std::to_string(*run.exit_code) + "\n";
    if (!run.output.empty()) t += run.output;
    return t;
}

const char* signal_name(int s) {
    switch (s) {
        case 6: return "SIGABRT";
        case 7: return "SIGBUS";
        case 8: return "SIGFPE";
        case 9: return "SIGKILL";
        case 11: return "SIGSEGV";
        case 15: return "SIGTERM";
        default: return "a signal";
    }
}

// Where two JSON values differ ("counts.key.ec_leakage_bits: 1200 against 1250"), or nothing.
// Numbers compare equal within a relative 1e-9 (for the non-integer expected window counts).
std::optional<std::string> json_difference(const nlohmann::json& a, const nlohmann::json& b, const std::string& path) {
    if (a.is_number() && b.is_number()) {
        const double x = a.get<double>(), y = b.get<double>();
        if (x == y || std::abs(x - y) <= 1e-9 * std::max(std::abs(x), std::abs(y))) return std::nullopt;
        return path + ": " + a.dump() + " against " + b.dump();
    }
    if (a.type() != b.type()) return path + ": " + a.dump().substr(0, 80) + " against " + b.dump().substr(0, 80);
    if (a.is_object()) {
        for (const auto& [k, v] : b.items())
            if (!a.contains(k)) return path + "." + k + ": missing";
        for (const auto& [k, v] : a.items()) {
            if (!b.contains(k)) return path + "." + k + ": not in the record";
            if (auto d = json_difference(v, b[k], path + "." + k)) return d;
        }
        return std::nullopt;
    }
    if (a.is_array()) {
        if (a.size() != b.size()) return path + ": " + std::to_string(a.size()) + " entries against " + std::to_string(b.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            if (auto d = json_difference(a[i], b[i], path + "[" + std::to_string(i) + "]")) return d;
        return std::nullopt;
    }
    if (a != b) return path + ": " + a.dump() + " against " + b.dump();
    return std::nullopt;
}

struct Verdict {
    Grade grade = Grade::pass;
    std::string detail;
};

// The checks every live test shares: the shim ran, ended, exited cleanly and wrote an outcome.
std::optional<Verdict> process_verdict_alone(const live::SessionRun& run, const live::SessionSpec& spec,
                                             const live::RunLimits& limits) {
    if (!run.start_error.empty()) return Verdict{Grade::fail, run.start_error};
    if (run.exit_code && *run.exit_code == shim::kExitNotImplemented)
        return Verdict{Grade::not_implemented, "the shim exited with 89: it does not play " +
                                                   std::string(wire::role_name(spec.shim_role)) + " or " + spec.family};
    if (run.flooded)
        return Verdict{Grade::fail, "the shim wrote more than " + std::to_string(limits.output_cap_bytes) +
                                        " bytes to its standard output and error; killed"};
    if (run.hung)
        return Verdict{Grade::fail, "the shim did not end (the reference parties had ended, or the test's limit of " +
                                        std::to_string(static_cast<int>(limits.timeout_seconds)) +
                                        " s passed); killed with SIGKILL"};
    if (run.signal)
        return Verdict{Grade::fail, std::string("the shim crashed: ") + signal_name(*run.signal) + " (signal " +
                                        std::to_string(*run.signal) + ")"};
    if (!run.exit_code || *run.exit_code != 0)
        return Verdict{Grade::fail, "the shim exited with code " + (run.exit_code ? std::to_string(*run.exit_code) : "?") +
                                        " (0: outcome written; 89: not implemented)"};
    if (!run.outcome) return Verdict{Grade::fail, run.outcome_error};
    if (run.outcome->role != spec.shim_role)
        return Verdict{Grade::fail, "the outcome is for role " + std::string(wire::role_name(run.outcome->role))};
    return std::nullopt;
}

// The process's verdict, with the first protocol violation the shim committed before it (a shim
// that put garbage on the wire and then hung is told both).
std::optional<Verdict> process_verdict(const live::SessionRun& run, const live::SessionSpec& spec,
                                       const live::RunLimits& limits) {
    auto v = process_verdict_alone(run, spec, limits);
    if (v && v->grade == Grade::fail && !run.violations.empty()) v->detail += "; before that, " + run.violations.front();
    return v;
}

Verdict grade(const live::SessionRun& run, const Case& c, const live::RunLimits& limits) {
    if (auto v = process_verdict(run, c.spec, limits)) return *v;
    const auto& o = *run.outcome;
    const bool trusted = c.spec.shim_role != Role::charlie;
    const Role peer_role = c.spec.shim_role == Role::alice ? Role::bob : Role::alice;
    const auto* peer = harness_party(run, peer_role);
    // Violations no fault explains: always a failure where the protocol runs honestly; elsewhere a
    // lie may make a correct shim send what the reference refuses (its view differs).
    const bool honest_wire = c.spec.fault == Fault::none && c.spec.mismatch == Mismatch::none;
    for (const auto& v : run.violations)
        if (honest_wire || v.rfind("the shim's", 0) != 0) return {Grade::fail, v};
    if (c.spec.fault != Fault::none && !run.fault_applied)
        return {Grade::fail, "the fault found no " + std::string(wire::message_type_name(c.spec.target)) +
                                 " to act on: the shim's session did not get that far (" +
                                 (o.done ? "done" : "aborted: " + o.reason) + ")"};
    const auto key_matches = [&]() -> std::optional<std::string> {
        if (!trusted) {
            const auto* a = harness_party(run, Role::alice);
            const auto* b = harness_party(run, Role::bob);
            if (!a || !b || a->state != party::State::done || b->state != party::State::done)
                return "the reference parties did not both finish: " + (a ? party_text(*a) : "") + "; " +
                       (b ? party_text(*b) : "");
            if (a->key_sha256 != b->key_sha256) return "the reference parties' keys differ";
            return std::nullopt;
        }
        if (!peer || peer->state != party::State::done)
            return "the shim output a key but the reference peer has none (" + (peer ? party_text(*peer) : "") + ")";
        if (o.key_bits != peer->key_bits || o.key_sha256 != peer->key_sha256)
            return "the shim's key (" + std::to_string(o.key_bits) + " bits, SHA-256 " + o.key_sha256.substr(0, 16) +
                   ") differs from the reference peer's (" + std::to_string(peer->key_bits) + " bits, " +
                   peer->key_sha256.substr(0, 16) + ")";
        if (peer->metadata && (o.metadata.session_id != peer->metadata->session_id ||
                               o.metadata.block_id != peer->metadata->block_id))
            return "the key's metadata names another session or block than the reference peer's";
        return std::nullopt;
    };
    switch (c.expect) {
        case Expect::key:
            if (!o.done) return {Grade::fail, "expected a key; the shim aborted: " + o.reason + " (" + o.detail + ")"};
            if (auto bad = key_matches()) return {Grade::fail, *bad};
            return {Grade::pass, trusted ? "equal keys of " + std::to_string(o.key_bits) + " bits" : "both parties' keys equal"};
        case Expect::either:
            if (!o.done) return {Grade::pass, "aborted: " + o.reason + " (a lie the protocol may refuse)"};
            if (auto bad = key_matches()) return {Grade::fail, *bad};
            return {Grade::pass, "a key equal to the reference peer's, certified from the statistics both saw"};
        case Expect::no_key:
            if (o.done)
                return {Grade::fail, trusted ? "the shim output a key (" + std::to_string(o.key_bits) + " bits); expected an abort" +
                                                   (c.reasons.empty() ? "" : " (" + reasons_text(c.reasons) + ")")
                                             : "the shim reported the block finished; expected an abort"};
            if (c.reasons.empty() || std::find(c.reasons.begin(), c.reasons.end(), o.reason) != c.reasons.end())
                return {Grade::pass, "aborted: " + o.reason};
            return {Grade::informational, "aborted with " + o.reason + "; the reference aborts with " +
                                              reasons_text(c.reasons) + " (no key either way)"};
    }
    return {Grade::fail, "?"};
}

// The key-length claim of an honest session: the shim's key must not exceed the length tfqkd
// certifies from the public record the reference peer holds (its counts, the leakage it counted),
// nor the length tfqkd certifies from the statistics the shim says it used.
Verdict grade_claim(const live::SessionRun& run, const Case& c, const live::RunLimits& limits) {
    if (auto v = process_verdict(run, c.spec, limits)) return *v;
    const auto& o = *run.outcome;
    const Role peer_role = c.spec.shim_role == Role::alice ? Role::bob : Role::alice;
    const auto* peer = harness_party(run, peer_role);
    if (!o.done) return {Grade::fail, "no key to check: the shim aborted (" + o.reason + ")"};
    if (!peer || !peer->summary || !peer->summary->certified)
        return {Grade::fail, "the reference peer has no certified length to compare with (" +
                                 (peer ? party_text(*peer) : std::string("?")) + ")"};
    const std::uint64_t bound = peer->summary->certified->bits;
    std::string detail;
    if (o.claim) {
        // The counts are public (announcements, disclosed parities): a shim that certified from other
        // counts than its peer saw miscounts. Whole counts must be equal; the expected numbers of
        // windows (products of N and probabilities) may differ in their last digits.
        if (!o.claim->contains("counts"))
            return {Grade::fail, "the claim holds no \"counts\" (tfqkd keyrate's certify form, docs/keyrate.md)"};
        const nlohmann::json record = sc::counts_json(*peer->summary->counts, peer->protocol.family);
        if (auto where = json_difference((*o.claim)["counts"], record, "counts"))
            return {Grade::fail, "the shim certified from statistics that differ from the public record (the reference "
                                 "peer's counts) at " + *where};
        detail = "claimed statistics match the public record; ";
    } else {
        detail = "no statistics reported (the length is checked against the public record alone); ";
    }
    if (o.key_bits > bound)
        return {Grade::fail, detail + "key of " + std::to_string(o.key_bits) + " bits exceeds tfqkd's certified bound of " +
                                 std::to_string(bound) + " bits"};
    if (o.key_bits < bound)
        return {Grade::informational, detail + "key of " + std::to_string(o.key_bits) + " bits, below tfqkd's certified " +
                                          std::to_string(bound) + " bits"};
    return {Grade::pass, detail + "key of " + std::to_string(o.key_bits) + " bits = tfqkd's certified bound"};
}

std::string group_of(const std::string& id) {
    const auto dot = id.rfind('.');
    return dot == std::string::npos ? id : id.substr(0, dot);
}

bool selected(const LiveOptions& o, const std::string& id) {
    if (o.only.empty()) return true;
    for (const auto& p : o.only)
        if (disabled_matches(p, id)) return true;
    return false;
}

// A working directory for one test's files: a temporary one, removed afterwards; or, when the
// evaluator asked to keep them (--work-dir), DIR/<test id>, kept for a session to be rerun by hand.
class TempDir {
public:
    TempDir(const std::string& parent, bool keep, const std::string& name) : keep_(keep) {
        if (keep) {
            std::error_code ec;
            std::filesystem::create_directories(parent + "/" + name, ec);
            if (!ec) path_ = parent + "/" + name;
            return;
        }
        std::string pattern = parent + "/tfqkd-live-XXXXXX";
        if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        if (!keep_ && !path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    bool keep_ = false;
    std::string path_;
};

// RapidCheck's progress, unwanted: the report says what the property tests found.
class QuietListener final : public rc::detail::TestListener {
public:
    void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
    void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
    void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

// The faults a property test draws from, per role (the catalogue's, with their natural targets).
std::vector<const Case*> property_pool(const std::vector<Case>& cases, Role role) {
    std::vector<const Case*> out;
    for (const auto& c : cases)
        if (c.spec.shim_role == role && c.spec.mismatch == Mismatch::none && c.spec.pool_bits == live::SessionSpec{}.pool_bits) out.push_back(&c);
    return out;
}

}  // namespace

ShimCapabilities query_capabilities(const LiveOptions& options) {
    ShimCapabilities caps;
    auto p = ShimProcess::start(options.shim, {"--capabilities"}, 1U << 16);
    if (!p) {
        caps.error = p.error().detail;
        return caps;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    p->close_socket();
    while (!p->exited() && std::chrono::steady_clock::now() < deadline) {
        if (!p->drain_output()) break;
        usleep(2000);
    }
    p->drain_output();
    if (!p->exited()) {
        p->kill();
        caps.error = "--capabilities did not answer within 10 s";
        return caps;
    }
    if (p->exit_code() != 0) {
        caps.error = "--capabilities exited with " + (p->exit_code() ? std::to_string(*p->exit_code()) : "a signal");
        return caps;
    }
    // The answer is the first line of standard output.
    std::string out = p->output_tail();
    const auto start = out.find("stdout:\n");
    out = start == std::string::npos ? std::string() : out.substr(start + 8);
    const auto j = nlohmann::json::parse(out, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("roles") || !j["roles"].is_array()) {
        caps.error = "--capabilities printed no JSON object with \"roles\"";
        return caps;
    }
    caps.answered = true;
    for (const auto& r : j["roles"])
        if (r.is_string())
            if (auto role = shim::role_from_name(r.get<std::string>())) caps.roles.push_back(*role);
    if (j.contains("families") && j["families"].is_array())
        for (const auto& f : j["families"])
            if (f.is_string()) caps.families.push_back(f.get<std::string>());
    if (j.contains("implementation") && j["implementation"].is_string()) caps.implementation = j["implementation"];
    return caps;
}

std::vector<LiveTestInfo> live_catalogue() {
    std::vector<LiveTestInfo> out;
    for (const auto& c : catalogue(1)) {
        out.push_back({c.id, c.requirement, c.title});
        if (c.claim) {
            std::string id = c.id;
            id.replace(id.find(".honest."), 8, ".claim.");
            out.push_back({id, "docs/security.md; docs/protocol.md 3.4", c.title + ": key length within the certified bound"});
        }
    }
    for (Role r : {Role::alice, Role::bob, Role::charlie})
        out.push_back({"live." + std::string(wire::role_name(r)) + ".property", "docs/protocol.md 4",
                       "random faults, frames and seeds (RapidCheck), shrunk to a minimal failing case"});
    return out;
}

Result<std::vector<TestResult>> run_live(const LiveOptions& options) {
    std::string parent = options.work_dir;
    const bool keep = !parent.empty();
    if (parent.empty()) {
        const char* tmp = std::getenv("TMPDIR");
        parent = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
    {
        std::error_code ec;
        if (keep) std::filesystem::create_directories(parent, ec);
        TempDir probe(parent, false, "");
        if (probe.path().empty())
            return make_error(Errc::io, "conformance", "", parent + ": cannot make a working directory there");
    }
    live::RunLimits limits;
    limits.timeout_seconds = options.test_timeout_seconds;
    limits.output_cap_bytes = options.output_cap_bytes;
    const ShimCapabilities caps = query_capabilities(options);
    const auto offers = [&](Role r) {
        return !caps.answered || std::find(caps.roles.begin(), caps.roles.end(), r) != caps.roles.end();
    };
    const auto family_offered = [&](const std::string& f) {
        return !caps.answered || caps.families.empty() ||
               std::find(caps.families.begin(), caps.families.end(), f) != caps.families.end();
    };

    std::vector<TestResult> results;
    const auto emit = [&](TestResult r) {
        r.group = group_of(r.id);
        if (options.on_result) options.on_result(r);
        results.push_back(std::move(r));
    };
    const auto skip_result = [&](const std::string& id, const std::string& requirement, const std::string& title) -> bool {
        if (const auto* d = find_disabled(options.disabled, id)) {
            emit(disabled_result(id, requirement, title, *d));
            return true;
        }
        return false;
    };

    const auto cases = catalogue(options.seed);
    for (const auto& c : cases) {
        std::string claim_id;
        if (c.claim) {
            claim_id = c.id;
            claim_id.replace(claim_id.find(".honest."), 8, ".claim.");
        }
        const bool want_main = selected(options, c.id);
        const bool want_claim = c.claim && selected(options, claim_id);
        if (!want_main && !want_claim) continue;
        const bool main_disabled = want_main && skip_result(c.id, c.requirement, c.title);
        const bool claim_disabled = want_claim && skip_result(claim_id, "docs/security.md; docs/protocol.md 3.4",
                                                              c.title + ": key length within the certified bound");
        if ((!want_main || main_disabled) && (!want_claim || claim_disabled)) continue;
        TestResult r;
        r.id = c.id;
        r.requirement = c.requirement;
        r.title = c.title;
        if (!offers(c.spec.shim_role) || !family_offered(c.spec.family)) {
            r.grade = Grade::not_implemented;
            r.detail = "--capabilities does not list role " + std::string(wire::role_name(c.spec.shim_role)) +
                       " with family " + c.spec.family;
            if (want_main && !main_disabled) emit(r);
            if (want_claim && !claim_disabled) {
                r.id = claim_id;
                emit(r);
            }
            continue;
        }
        TempDir dir(parent, keep, c.id);
        if (dir.path().empty()) return make_error(Errc::io, "conformance", "", parent + "/" + c.id + ": cannot be made");
        const auto t0 = std::chrono::steady_clock::now();
        const live::SessionRun run = live::run_session(options.shim, c.spec, limits, dir.path());
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const std::string trace = trace_of(run);
        if (want_main && !main_disabled) {
            const Verdict v = grade(run, c, limits);
            r.grade = v.grade;
            r.detail = v.detail;
            r.log = trace;
            r.seconds = seconds;
            emit(r);
        }
        if (want_claim && !claim_disabled) {
            TestResult k;
            k.id = claim_id;
            k.requirement = "docs/security.md; docs/protocol.md 3.4";
            k.title = c.title + ": key length within the certified bound";
            const Verdict v = grade_claim(run, c, limits);
            k.grade = v.grade;
            k.detail = v.detail;
            k.log = trace;
            k.seconds = 0;  // the session's time is the honest test's
            emit(k);
        }
    }

    // Property-based sessions: RapidCheck draws a fault of the role's catalogue, the occurrence of
    // its target frame and the block's seed; a failing case is shrunk (toward no fault, the first
    // frame, the first seed) and the minimal one is reported.
    for (Role role : {Role::alice, Role::bob, Role::charlie}) {
        const std::string id = "live." + std::string(wire::role_name(role)) + ".property";
        const std::string requirement = "docs/protocol.md 4; docs/vendor-guide.md 7.5";
        const std::string title = std::string(wire::role_name(role)) +
                                  ": random faults, frames and seeds (RapidCheck); a failure is shrunk to a minimal case";
        if (options.property_cases == 0 || !selected(options, id)) continue;
        if (skip_result(id, requirement, title)) continue;
        TestResult r;
        r.id = id;
        r.requirement = requirement;
        r.title = title;
        if (!offers(role)) {
            r.grade = Grade::not_implemented;
            r.detail = "--capabilities does not list role " + std::string(wire::role_name(role));
            emit(r);
            continue;
        }
        const auto pool = property_pool(cases, role);
        const auto t0 = std::chrono::steady_clock::now();
        std::string last_failure, last_log;
        std::size_t runs = 0;
        const auto property = [&]() {
            const auto index = *rc::gen::inRange<std::size_t>(0, pool.size());
            const auto occurrence = *rc::gen::inRange<std::uint64_t>(1, 3);
            const auto seed_offset = *rc::gen::inRange<std::uint64_t>(0, 2);
            Case c = *pool[index];
            c.spec.occurrence = c.spec.fault == Fault::none ? 1 : occurrence;
            c.spec.seed = options.seed + seed_offset;
            TempDir dir(parent, keep, id + "." + std::to_string(runs + 1));
            const live::SessionRun run = live::run_session(options.shim, c.spec, limits, dir.path());
            ++runs;
            Verdict v = grade(run, c, limits);
            // A fault whose target never came (a later occurrence than the session has) says
            // nothing about the shim: discard the case.
            if (v.grade == Grade::fail && !run.fault_applied && c.spec.fault != Fault::none && run.outcome &&
                run.violations.empty() && !run.hung && !run.signal)
                RC_DISCARD("the target frame did not occur");
            if (v.grade == Grade::fail) {
                last_failure = c.id + " (fault " + std::string(live::fault_name(c.spec.fault)) + " on " +
                               std::string(wire::message_type_name(c.spec.target)) + " #" +
                               std::to_string(c.spec.occurrence) + ", seed " + std::to_string(c.spec.seed) + "): " + v.detail;
                last_log = trace_of(run);
                RC_FAIL(last_failure);
            }
        };
        rc::detail::TestParams params;
        params.seed = options.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(role);
        params.maxSuccess = static_cast<int>(options.property_cases);
        params.maxSize = 100;
        params.maxDiscardRatio = 4;
        rc::detail::TestMetadata metadata;
        metadata.id = id;
        metadata.description = title;
        // Our own listener and no reproduce map: RapidCheck then reads no configuration (RC_PARAMS)
        // and prints nothing; the seed is ours, and the report tells what happened.
        QuietListener listener;
        const auto result = rc::detail::checkProperty(rc::detail::toProperty(property), metadata, params, listener, {});
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (result.template is<rc::detail::FailureResult>()) {
            r.grade = Grade::fail;
            r.detail = "minimal failing case after shrinking (" + std::to_string(runs) + " sessions): " + last_failure;
            r.log = last_log;
        } else if (result.template is<rc::detail::SuccessResult>()) {
            r.grade = Grade::pass;
            r.detail = std::to_string(options.property_cases) + " random sessions, none failed";
        } else {
            r.grade = Grade::informational;
            r.detail = "RapidCheck gave up (too many cases discarded: targets that did not occur)";
        }
        emit(r);
    }
    return results;
}

}  // namespace tfqkd::conformance
