// Replays an adversary schedule taken from the formal model against the C++ parties
// (docs/formal.md, "Traces replayed on the code").
//
//   formal_replay SCHEDULE.json
//
// The schedule is what formal/spin_check.py reads off a SPIN run of formal/tfqkd.pml: the protocol
// family and the adversary's actions, each on a frame named by its channel, message type and
// occurrence (the model numbers frames differently: one report, one Cascade query per round). The
// program runs one session of the reference parties (network::run_session, in-memory transport, the
// fast SNS-AOPP or PM setup of the network tests) with an adversary that performs those actions on
// the real frames, and prints what each party did as JSON: its final state, its abort reason, the
// states it entered, and a digest of its key.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "network/session.hpp"
#include "protocol/wire/frame.hpp"
#include "protocol/wire/types.hpp"
#include "session_setups.hpp"

namespace {

using tfqkd::Bytes;
using tfqkd::network::InFlight;
using tfqkd::wire::MessageType;
using tfqkd::wire::Role;

// The frame header's layout (docs/wire-format.md 3): the type byte; the payload after the header.
constexpr std::size_t kTypeOffset = 5;
constexpr std::size_t kPayloadOffset = 24;

// The model's channel numbers (formal/tfqkd.pml, CH).
int model_channel(Role from, Role to) {
    const int f = static_cast<int>(from) - 1, t = static_cast<int>(to) - 1;
    return f * 2 + (t > f ? t - 1 : t);
}
bool peer_channel(int channel) { return channel == 0 || channel == 2; }

struct Action {
    std::string kind;  // drop, modify, duplicate, hold, inject
    int channel = 0;
    MessageType type = MessageType::abort;
    int occurrence = 0;  // drop/modify/duplicate/hold: the nth frame of this type on the channel (from 0)
    int after = -1;      // inject: after this many frames on the channel, or
    std::optional<MessageType> before;  // inject: before the nth frame of this type on the channel
    bool done = false;
};

std::optional<MessageType> type_named(const std::string& name) {
    for (int v = 0; v < 256; ++v)
        if (auto t = tfqkd::wire::message_type_from_u8(static_cast<std::uint8_t>(v));
            t && tfqkd::wire::message_type_name(*t) == name)
            return t;
    return std::nullopt;
}

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

nlohmann::json party_json(const tfqkd::network::PartyOutcome& o, const tfqkd::party::PartySummary* summary) {
    nlohmann::json j;
    j["state"] = tfqkd::party::state_name(o.state);
    j["failure"] = o.failure ? nlohmann::json(std::string(tfqkd::wire::reason_name(o.failure->reason))) : nullptr;
    j["key"] = o.key ? nlohmann::json(o.key_sha256) : nullptr;
    if (summary != nullptr) {
        nlohmann::json h = nlohmann::json::array();
        for (const auto& [state, time] : summary->history) h.push_back(tfqkd::party::state_name(state));
        j["history"] = h;
    }
    return j;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: formal_replay SCHEDULE.json\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    nlohmann::json schedule;
    try {
        schedule = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        std::cerr << "formal_replay: " << argv[1] << ": not JSON: " << e.what() << '\n';
        return 2;
    }
    const std::string family = schedule.value("protocol", "sns-aopp");
    if (family != "sns-aopp" && family != "pm") {
        std::cerr << "formal_replay: " << argv[1] << ": protocol \"" << family << "\": accepted sns-aopp, pm\n";
        return 2;
    }
    auto actions = std::make_shared<std::vector<Action>>();
    for (const auto& a : schedule.value("actions", nlohmann::json::array())) {
        Action act;
        act.kind = a.at("action").get<std::string>();
        act.channel = a.at("channel").get<int>();
        const auto type = type_named(a.at("type").get<std::string>());
        if (!type || act.channel < 0 || act.channel > 5) {
            std::cerr << "formal_replay: " << argv[1] << ": action " << a.dump() << ": unknown type or channel\n";
            return 2;
        }
        act.type = *type;
        act.occurrence = a.value("occurrence", 0);
        act.after = a.value("after", -1);
        if (a.contains("before")) {
            act.before = type_named(a.at("before").get<std::string>());
            if (!act.before) {
                std::cerr << "formal_replay: " << argv[1] << ": action " << a.dump() << ": unknown type in \"before\"\n";
                return 2;
            }
        }
        actions->push_back(act);
    }

    tfqkd::network::SessionSetup setup = family == "pm" ? tfqkd::network::test::pm_setup(1)
                                                        : tfqkd::network::test::sns_aopp_setup(1);
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
        // Forged frames go before the frame that follows the injection point.
        for (Action& a : *actions)
            if (!a.done && a.kind == "inject" && a.channel == channel &&
                (a.before ? (*a.before == type && a.occurrence == nth) : a.after == index)) {
                a.done = true;
                InFlight g = f;
                g.frame = forged(f.frame, a.type, channel);
                if (peer_channel(channel)) tampered_to->push_back(std::string(tfqkd::wire::role_name(f.to)));
                out.push_back(std::move(g));
            }
        bool passed = false;
        for (Action& a : *actions) {
            if (a.done || a.kind == "inject" || a.channel != channel || a.type != type || a.occurrence != nth) continue;
            a.done = true;
            passed = true;
            if (a.kind == "drop") {
            } else if (a.kind == "modify") {
                tamper(f.frame, channel);
                if (peer_channel(channel)) tampered_to->push_back(std::string(tfqkd::wire::role_name(f.to)));
                out.push_back(f);
            } else if (a.kind == "duplicate") {
                out.push_back(f);
                out.push_back(f);
            } else if (a.kind == "hold") {
                held->emplace(channel, f);
            }
            break;
        }
        if (!passed) out.push_back(f);
        // A frame kept back goes right after the next one on its channel.
        if (auto h = held->find(channel); h != held->end() && !(passed && h->second.frame == f.frame)) {
            out.push_back(h->second);
            held->erase(h);
        }
        return out;
    };
    const tfqkd::network::SessionReport r = tfqkd::network::run_session(setup).value();
    nlohmann::json out;
    out["protocol"] = family;
    out["alice"] = party_json(r.alice, &r.alice_summary);
    out["bob"] = party_json(r.bob, &r.bob_summary);
    out["charlie"] = party_json(r.charlie, nullptr);
    out["keys_equal"] = r.keys_equal;
    out["tampered_peer_frames_to"] = *tampered_to;
    out["unused_actions"] = 0;
    for (const Action& a : *actions) out["unused_actions"] = out["unused_actions"].get<int>() + (a.done ? 0 : 1);
    std::cout << out.dump(1) << '\n';
    return 0;
}
