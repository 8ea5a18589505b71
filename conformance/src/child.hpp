// What every child process of the harness does first (a vendor library's call in library.cpp, a
// shim in shim_process.cpp): internal to conformance/.
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace tfqkd::conformance {

// In the child, between fork and anything else: its own process group (so that killing the group
// kills whatever it starts), dead with the harness, no core files. Async-signal-safe calls only.
inline void isolate_child() noexcept {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
}

}  // namespace tfqkd::conformance
