#include "protocol/wire/ldpc_syndrome.hpp"  // TODO(helper): implement
