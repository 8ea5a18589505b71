#include "security/key_length.hpp"

#include "security/cal19.hpp"
#include "security/mode_pairing.hpp"
#include "security/pm.hpp"

namespace tfqkd::security {

Result<KeyLength> certified_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                       const CountStatistics& counts, const SnsOptions& options) {
    switch (protocol.family) {
        case Family::pm: return pm_key_length(protocol, security, counts, options);
        case Family::cal19: return cal19_key_length(protocol, security, counts, options);
        case Family::mode_pairing: return mode_pairing_key_length(protocol, security, counts, options);
        case Family::sns: break;
    }
    return sns_key_length(protocol, security, counts, options);
}

}  // namespace tfqkd::security
