// How a kernel splits long reductions over work-groups when its outputs give too few work-groups
// to fill the device (conv2d_gemm's tiles, reduce_axes's outputs): each split's partial results
// are combined in split order by a second kernel, so results stay deterministic.

struct ReductionSplit: Equatable {
    let count: Int
    /// Terms per split, a multiple of `step`; the last split takes what remains.
    let length: Int

    /// About two work-groups per compute unit over `groups` outputs (or tiles) of `terms` terms
    /// each: splits of at least `minimum` terms, at most 64 of them.
    init(groups: Int, terms: Int, computeUnits: Int, minimum: Int, step: Int) {
        let wanted = (2 * max(computeUnits, 1) + max(groups, 1) - 1) / max(groups, 1)
        let splits = max(1, min(wanted, terms / minimum, 64))
        length = max(step, ((terms + splits - 1) / splits + step - 1) / step * step)
        count = max(1, (terms + length - 1) / length)
    }
}
