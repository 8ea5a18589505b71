// Replaying a run of the formal model on the C++ parties: formal/tests/replay_session.hpp.
#include "replay_session.hpp"

#include <algorithm>
#include <memory>
#include <sstream>

#include "model_types.hpp"
#include "network/session.hpp"
#include "protocol/wire/frame.hpp"
#include "session_setups.hpp"

namespace tfqkd::formal {

namespace {

using network::InFlight;
using wire::MessageType;
using wire::Role;

// The frame header's layout (docs/wire-format.md 3): the type byte; the payload after the header.
constexpr std::size_t kTypeOffset = 5;
constexpr std::size_t kPayloadOffset = 24;

// The model's channel numbers (formal/tfqkd.pml, CH).
int model_channel(Role from, Role to) {
    const int f = static_cast<int>(from) - 1, t = static_cast<int>(to) - 1;
    return f * 2 + (t > f ? t - 1 : t);
}
bool peer_channel(int channel) { return channel == 0 || channel == 2; }

// A change the receiver can see: on the peer channel a bit of the tag (authentication fails); on
// Charlie's channels a bit of the payload's block id, which keeps the frame well formed (the model's
// "another digest" or "another block": the receiver's check of it fails).
void tamper(Bytes& frame, int channel) {
    if (peer_channel(channel))
        frame.back() ^= 0x01;
    else if (frame.size() > kPayloadOffset + 7)
        frame[kPayloadOffset + 7] ^= 0x02;
}

// A frame the adversary makes up in the place of `model` (same sequence number, so that the
// receiver takes it as the next one): type t and a tag that cannot verify.
Bytes forged(const Bytes& model, MessageType type, int channel) {
    Bytes f = model;
    f[kTypeOffset] = static_cast<tfqkd::Byte>(type);
    tamper(f, channel);
    return f;
}

using formal::model_type;

PartyReplay party_replay(const network::PartyOutcome& o, const party::PartySummary* summary) {
    PartyReplay p;
    p.state = std::string(party::state_name(o.state));
    if (o.failure) p.failure = std::string(wire::reason_name(o.failure->reason));
    if (o.key) p.key_sha256 = o.key_sha256;
    if (summary != nullptr)
        for (const auto& [state, time] : summary->history) p.entered.emplace_back(party::state_name(state));
    return p;
}

}  // namespace

std::map<int, std::string> read_state_names(std::istream& table_pml) {
    std::map<int, std::string> names;
    std::string line;
    while (std::getline(table_pml, line)) {
        std::istringstream in(line);
        std::string define, name;
        int number = 0;
        if (in >> define >> name >> number && define == "#define" && name.rfind("S_", 0) == 0)
            names[number] = name.substr(2);
    }
    return names;
}

ModelRun read_model_run(std::istream& printout, const std::map<int, std::string>& state_names, std::string& error) {
    ModelRun run;
    std::map<std::pair<int, int>, int> sent;  // frames sent per (channel, model type)
    std::string line;
    int number = 0;
    const auto fail = [&](const std::string& what) {
        error = "line " + std::to_string(number) + " (\"" + line + "\"): " + what;
        return run;
    };
    while (std::getline(printout, line)) {
        ++number;
        std::istringstream in(line);
        std::string word;
        if (!(in >> word)) continue;
        if (word == "CHOICE") {
            std::string what;
            int value = 0;
            if (in >> what >> value && what == "par") run.protocol = value == 1 || value == 3 ? "sns-aopp" : "pm";
        } else if (word == "SEND") {
            int c = 0, t = 0;
            if (in >> c >> t) ++sent[{c, t}];
        } else if (word == "ADV") {
            std::string kind;
            int c = 0, t = 0, extra = 0;
            if (!(in >> kind >> c >> t >> extra)) return fail("an ADV line needs an action, a channel, a type and a number");
            const auto type = model_type(t);
            if (!type || c < 0 || c > 5) return fail("unknown message type or channel");
            ReplayAction a;
            a.channel = c;
            a.type = *type;
            if (kind == "inject") {  // on a quiet channel, after the frames the receiver has taken
                a.kind = "inject";
                a.after = extra;
            } else if (kind == "inject_before") {  // just before a frame of type `extra`
                a.kind = "inject";
                a.before = model_type(extra);
                if (!a.before) return fail("unknown message type of the frame injected before");
                a.occurrence = sent[{c, extra}] - 1;
            } else {  // the frame was counted by the SEND line just before
                a.kind = kind;
                a.occurrence = sent[{c, t}] - 1;
            }
            run.actions.push_back(a);
        } else if (word == "STEP") {
            int p = 0, s = 0, e = 0, t = 0, f = 0, n = 0;
            if (!(in >> p >> s >> e >> t >> f >> n) || p < 0 || p > 2) return fail("a STEP line needs six numbers");
            const auto it = state_names.find(n);
            if (it == state_names.end()) return fail("unknown state " + std::to_string(n));
            run.entered[static_cast<std::size_t>(p)].push_back(it->second);
        } else if (word == "ABORT") {
            int p = 0;
            if (!(in >> p) || p < 0 || p > 2) return fail("an ABORT line needs a party");
            auto& e = run.entered[static_cast<std::size_t>(p)];
            if (e.empty() || e.back() != "aborted") e.emplace_back("aborted");
        }
    }
    return run;
}

CodeRun replay(const std::string& protocol, const std::vector<ReplayAction>& schedule) {
    struct Pending {
        ReplayAction action;
        bool done = false;
    };
    auto actions = std::make_shared<std::vector<Pending>>();
    for (const ReplayAction& a : schedule) actions->push_back({a, false});
    network::SessionSetup setup = protocol == "pm" ? network::test::pm_setup(1) : network::test::sns_aopp_setup(1);
    // One detection report per party, as the model's replay runs send.
    setup.events_per_report = 1ULL << 40;
    // Frames seen per (channel, type) and per channel; a frame kept back per channel.
    auto seen_type = std::make_shared<std::map<std::pair<int, int>, int>>();
    auto seen = std::make_shared<std::map<int, int>>();
    auto held = std::make_shared<std::map<int, InFlight>>();
    auto tampered_to = std::make_shared<std::vector<std::string>>();
    setup.adversary = [=](InFlight f) -> std::vector<InFlight> {
        const int channel = model_channel(f.from, f.to);
        const auto type = static_cast<MessageType>(f.frame.at(kTypeOffset));
        const int nth = (*seen_type)[{channel, static_cast<int>(type)}]++;
        const int index = (*seen)[channel]++;
        std::vector<InFlight> out;
        // A forged frame goes in the place of the frame it precedes (same sequence number).
        for (Pending& p : *actions) {
            const ReplayAction& a = p.action;
            if (p.done || a.kind != "inject" || a.channel != channel) continue;
            if (a.before ? (*a.before != type || a.occurrence != nth) : a.after != index) continue;
            p.done = true;
            InFlight g = f;
            g.frame = forged(f.frame, a.type, channel);
            if (peer_channel(channel)) tampered_to->emplace_back(wire::role_name(f.to));
            out.push_back(std::move(g));
        }
        bool acted = false;
        for (Pending& p : *actions) {
            const ReplayAction& a = p.action;
            if (p.done || a.kind == "inject" || a.channel != channel || a.type != type || a.occurrence != nth) continue;
            p.done = true;
            acted = true;
            if (a.kind == "modify") {
                tamper(f.frame, channel);
                if (peer_channel(channel)) tampered_to->emplace_back(wire::role_name(f.to));
                out.push_back(f);
            } else if (a.kind == "duplicate") {
                out.push_back(f);
                out.push_back(f);
            } else if (a.kind == "hold") {
                held->emplace(channel, f);
            }  // drop: nothing goes out
            break;
        }
        if (!acted) out.push_back(f);
        // A frame kept back goes right after the next one on its channel.
        if (auto h = held->find(channel); h != held->end() && !(acted && h->second.frame == f.frame)) {
            out.push_back(h->second);
            held->erase(h);
        }
        return out;
    };
    const network::SessionReport r = network::run_session(setup).value();
    CodeRun run;
    run.alice = party_replay(r.alice, &r.alice_summary);
    run.bob = party_replay(r.bob, &r.bob_summary);
    run.charlie = party_replay(r.charlie, nullptr);
    run.keys_equal = r.keys_equal;
    run.tampered_peer_frames_to = *tampered_to;
    run.unused_actions = static_cast<int>(std::count_if(actions->begin(), actions->end(), [](const Pending& p) { return !p.done; }));
    return run;
}

std::vector<std::string> collapse(const std::vector<std::string>& entered) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < entered.size(); ++i) {
        const std::string& s = entered[i];
        if (s == "awaiting_peer_sifting" || (i == 0 && s == "idle")) continue;
        if (out.empty() || out.back() != s) out.push_back(s);
    }
    return out;
}

namespace {
std::string joined(const std::vector<std::string>& v) {
    std::string s = "[";
    for (const auto& x : v) s += (s.size() > 1 ? ", " : "") + x;
    return s + "]";
}
}  // namespace

std::vector<std::string> compare(const ModelRun& model, const CodeRun& code) {
    std::vector<std::string> out;
    const std::pair<const char*, const PartyReplay*> parties[] = {{"alice", &code.alice}, {"bob", &code.bob}};
    for (std::size_t p = 0; p < 2; ++p) {
        auto m = collapse(model.entered[p]);
        const auto c = collapse(parties[p].second->entered);
        // The replays' model asks one Cascade query and Bob ends the exchange at its reply; the code's
        // Bob asks several and waits for every reply. An abort that reaches Bob after the model's
        // reply but before the code's last one finds the model's Bob awaiting amplification and the
        // code's still reconciling: the same point of the flow.
        const std::vector<std::string> model_tail = {"reconciling", "awaiting_amplification", "aborted"};
        const std::vector<std::string> code_tail = {"reconciling", "aborted"};
        if (p == 1 && m.size() >= 3 && c.size() >= 2 && std::equal(model_tail.begin(), model_tail.end(), m.end() - 3) &&
            std::equal(code_tail.begin(), code_tail.end(), c.end() - 2))
            m.erase(m.end() - 2);
        if (m != c) out.push_back(std::string(parties[p].first) + ": model " + joined(m) + ", code " + joined(c));
    }
    const std::string charlie = model.entered[2].empty() ? "idle" : model.entered[2].back();
    if (charlie != code.charlie.state) out.push_back("charlie: model ends " + charlie + ", code " + code.charlie.state);
    if (code.unused_actions > 0)
        out.push_back("the code sent no frame for " + std::to_string(code.unused_actions) + " of the actions");
    return out;
}

std::vector<std::string> properties(const CodeRun& code) {
    std::vector<std::string> out;
    for (const auto& [who, p] : {std::pair{"alice", &code.alice}, std::pair{"bob", &code.bob}})
        if (p->key_sha256 && p->state != "done") out.push_back(std::string(who) + " holds a key in state " + p->state);
    if (code.alice.key_sha256 && code.bob.key_sha256 && !code.keys_equal) out.push_back("both have keys and they differ");
    for (const std::string& who : code.tampered_peer_frames_to) {
        // The last frame (Alice's confirmation) reaches Bob after Alice is done (docs/protocol.md 4).
        if (who == "bob" && code.bob.state != "aborted") out.push_back("bob received a tampered frame and did not abort");
        if (who == "alice" && code.alice.key_sha256) out.push_back("alice received a tampered frame and holds a key");
    }
    return out;
}

}  // namespace tfqkd::formal
