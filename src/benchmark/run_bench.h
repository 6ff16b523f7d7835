// RunStudy: the whole plan — every function (skipped ones noted), every memory setting — run
// through a Runner, with progress, into StudyResults (complete = false when cancelled).
// Thread safety: one call at a time; the runner may be cancelled from another thread.
#ifndef ZEROSTART_SRC_STUDY_STUDY_H_
#define ZEROSTART_SRC_STUDY_STUDY_H_

#include <string>

#include "src/study/plan.h"
#include "src/study/progress.h"
#include "src/study/results.h"
#include "src/study/runner.h"

namespace zerostart::study {

// `commit` and `machine` are recorded as given (the caller reads the environment).
StudyResults RunStudy(const Plan& plan, Runner& runner, Progress& progress, const Machine& machine,
                      const std::string& commit);

// "2026-12-03T14:39:30Z".
std::string UtcNow();

}  // namespace zerostart::study

#endif  // ZEROSTART_SRC_STUDY_STUDY_H_
