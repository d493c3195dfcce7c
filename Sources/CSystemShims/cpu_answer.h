// A processor feature asked once: CPUID is slow under some hypervisors.
// Threads that race here store the same answer.
#ifndef AUDIENCE_CPU_ANSWER_H
#define AUDIENCE_CPU_ANSWER_H

static inline int audience_cached_cpu_answer(int *known, int (*ask)(void)) {
    int answer = __atomic_load_n(known, __ATOMIC_RELAXED);
    if (answer < 0) {
        answer = ask();
        __atomic_store_n(known, answer, __ATOMIC_RELAXED);
    }
    return answer;
}

#endif
