// dlib shape predictor files (dlib/image_processing/shape_predictor.h, e.g.
// shape_predictor_68_face_landmarks.dat): version 1, the mean shape, the forests of each cascade level,
// then each level's feature pixels as anchor points and offsets. Read into flat arrays; sizes and
// indices are checked so that prediction never reads out of range.
import Foundation

enum ShapePredictorFile {
    static let format = "a dlib shape predictor (e.g. shape_predictor_68_face_landmarks.dat)"

    static func read(_ path: String) throws -> ShapePredictor {
        var reader = try DlibReader(path: path, format: format)
        _ = try reader.version("the shape predictor's version", 1...1)
        let mean = try reader.floatMatrix("the mean shape")
        guard mean.cols == 1, mean.rows >= 2, mean.rows % 2 == 0 else {
            throw reader.fail("the mean shape is \(mean.rows)×\(mean.cols), expected a column of x, y pairs")
        }
        let forests = try (0..<reader.count("the number of cascade levels")).map { level in
            try readForest(&reader, level: level, shapeSize: mean.rows)
        }
        let anchors = try readAnchors(&reader, levels: forests.count, parts: mean.rows / 2)
        let deltas = try readDeltas(&reader, pixelCounts: anchors.map(\.count))
        try reader.requireEnd()
        let levels = try forests.indices.map { k in
            let forest = forests[k], pixels = anchors[k].count
            if let bad = forest.splits.firstIndex(where: { Int(max($0.first, $0.second)) >= pixels }) {
                let perTree = max(forest.splitsPerTree, 1)
                throw reader.fail("split \(bad % perTree) of tree \(bad / perTree) of cascade level \(k)"
                    + " reads a feature pixel past the level's \(pixels)")
            }
            return ShapeCascadeLevel(anchors: anchors[k], deltas: deltas[k], splits: forest.splits,
                                     leaves: forest.leaves, treeCount: forest.trees,
                                     splitsPerTree: forest.splitsPerTree)
        }
        return ShapePredictor(initialShape: mean.values, levels: levels)
    }

    private struct Forest {
        var trees = 0, splitsPerTree = 0
        var splits: [ShapeCascadeLevel.Split] = []
        var leaves: [Float] = []
    }

    /// One level's trees: each its splits (idx1, idx2, thresh) and its leaves (shape offsets). Every tree of
    /// a level must be complete (2^depth leaves, one more than its splits) and as deep as the first.
    private static func readForest(_ reader: inout DlibReader, level: Int, shapeSize: Int) throws -> Forest {
        var forest = Forest()
        forest.trees = try reader.count("the number of trees of cascade level \(level)", bytesEach: 4)
        for tree in 0..<forest.trees {
            try naming("tree \(tree) of cascade level \(level)") {
                try readTree(&reader, into: &forest, first: tree == 0, shapeSize: shapeSize)
            }
        }
        return forest
    }

    /// One tree, appended to `forest`. What it reads is named in constant words (there are millions of
    /// reads); `naming` adds the tree and level to an error.
    private static func readTree(_ reader: inout DlibReader, into forest: inout Forest, first: Bool,
                                 shapeSize: Int) throws {
        let splitCount = try reader.count("the number of splits", bytesEach: 6)
        if first {
            forest.splitsPerTree = splitCount
            forest.splits.reserveCapacity(forest.trees * splitCount)
            forest.leaves.reserveCapacity(forest.trees * (splitCount + 1) * shapeSize)
        } else if splitCount != forest.splitsPerTree {
            throw reader.fail("\(splitCount) splits, the level's first tree has \(forest.splitsPerTree)")
        }
        for _ in 0..<splitCount {
            let first = try reader.unsigned("a split's first pixel")
            let second = try reader.unsigned("a split's second pixel")
            let threshold = try reader.float("a split's threshold")
            guard let first = UInt32(exactly: first), let second = UInt32(exactly: second) else {
                throw reader.fail("a split reads feature pixel \(max(first, second))")
            }
            forest.splits.append(.init(first: first, second: second, threshold: threshold))
        }
        let leafCount = try reader.count("the number of leaves", bytesEach: 4)
        guard leafCount == splitCount + 1, leafCount & (leafCount - 1) == 0 else {
            throw reader.fail("\(splitCount) splits and \(leafCount) leaves;"
                + " expected a complete tree, 2^depth leaves and one split fewer")
        }
        for _ in 0..<leafCount {  // matrix<float,0,1>: −rows, −1, the values
            let rows = try reader.int("a leaf's rows"), cols = try reader.int("a leaf's columns")
            guard rows == -Int64(shapeSize), cols == -1 else {
                throw reader.fail("a leaf is \(-rows)×\(-cols), expected \(shapeSize)×1"
                    + " (one offset per coordinate of the mean shape)")
            }
            forest.leaves += try reader.reals(count: shapeSize, "a leaf")
        }
    }

    /// Runs `body`, prefixing `context` ("tree 3 of cascade level 2: ") to the problem of its badFile errors.
    private static func naming(_ context: @autoclosure () -> String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let EngineError.badFile(path, problem) {
            throw EngineError.badFile(path: path, problem: context() + ": " + problem)
        }
    }

    /// Per level, the shape point each feature pixel moves with.
    private static func readAnchors(_ reader: inout DlibReader, levels: Int, parts: Int) throws
        -> [[UInt32]] {
        let count = try reader.count("the number of anchor lists")
        guard count == levels else { throw reader.fail("\(count) anchor lists for \(levels) cascade levels") }
        return try (0..<levels).map { level in
            let pixels = try reader.count("the number of feature pixels of a level", bytesEach: 2)
            return try (0..<pixels).map { _ in
                let anchor = try reader.unsigned("a feature pixel's anchor point")
                guard anchor < parts else {
                    throw reader.fail("a feature pixel of cascade level \(level) is anchored to point"
                        + " \(anchor) of a \(parts)-point shape")
                }
                return UInt32(anchor)
            }
        }
    }

    /// Per level, each feature pixel's offset (x, y) from its anchor point in the mean shape.
    private static func readDeltas(_ reader: inout DlibReader, pixelCounts: [Int]) throws -> [[Float]] {
        let count = try reader.count("the number of offset lists")
        guard count == pixelCounts.count else {
            throw reader.fail("\(count) offset lists for \(pixelCounts.count) cascade levels")
        }
        return try pixelCounts.enumerated().map { level, pixels in
            let n = try reader.count("the number of offsets of cascade level \(level)", bytesEach: 4)
            guard n == pixels else {
                throw reader.fail("cascade level \(level) has \(pixels) anchors but \(n) offsets")
            }
            return try reader.reals(count: 2 * n, "the offsets of cascade level \(level)")
        }
    }
}
