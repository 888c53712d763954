// Shared by every program: the strided-iteration layout passed by value to kernels.
// Joined in front of each program's source as text (embedded files cannot #include each other).

#define MAX_RANK 6

// An iteration space of `rank` dimensions and, for up to four operands (0 = output, 1..3 =
// inputs), the element stride of each dimension and a base offset. A stride of 0 broadcasts.
typedef struct {
    int rank;
    int count;                    // product of dims
    int dims[MAX_RANK];           // iteration extents, outermost first
    int strides[4][MAX_RANK];     // per operand, per dimension
    int offsets[4];               // per operand base offset, in elements
} Strided;

// The element offsets of linear iteration index `i` for all four operands.
inline int4 strided_offsets(const Strided* s, int i) {
    int4 off = (int4)(s->offsets[0], s->offsets[1], s->offsets[2], s->offsets[3]);
    for (int d = s->rank - 1; d >= 0; --d) {
        int extent = s->dims[d];
        int k = i % extent;
        i /= extent;
        off += k * (int4)(s->strides[0][d], s->strides[1][d], s->strides[2][d], s->strides[3][d]);
    }
    return off;
}
