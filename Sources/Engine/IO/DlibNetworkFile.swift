// dlib DNN model files (dlib/dnn/core.h, layers.h, input.h, loss.h): the loss, then the layers
// from the input up. The file nests each layer inside the one above it and names a layer's kind
// only in its details; tags and skips carry neither their kind nor their id, so a model's own
// definition (MMODDetector, DlibFaceDescriptor) gives those meanings and checks the sequence.
import Foundation

/// One entry of a dlib network, listed from the input up.
enum DlibLayer {
    /// The input layer: how images become the first tensor.
    case input(DlibInputLayer)
    /// `con_`: weights [outputs, inputs, rows, cols] (OIHW), bias per output (nil when disabled).
    case convolution(
        weights: [Float], weightShape: [Int], bias: [Float]?, stride: (y: Int, x: Int),
        padding: (y: Int, x: Int))
    /// `affine_` (or a batch norm `bn_con2` folded into one, as dlib does on loading): y = x·scale + shift,
    /// per channel.
    case affine(scale: [Float], shift: [Float])
    case relu
    /// `max_pool_` / `avg_pool_`: window (0 × 0 = the whole plane), stride, padding.
    case maxPool(DlibPooling)
    case averagePool(DlibPooling)
    /// `add_prev_`: adds a tagged layer's output (which tag: the model's definition says).
    case addPrevious
    /// `fc_`: y = x·W (+ b), W stored [inputs, outputs].
    case fullyConnected(weights: [Float], inputs: Int, outputs: Int, bias: [Float]?)
    /// `add_tag_layer` or `add_skip_layer`: the file does not say which, nor its id.
    case tagOrSkip

    var kind: String {
        switch self {
        case .input: return "input"
        case .convolution: return "con"
        case .affine: return "affine"
        case .relu: return "relu"
        case .maxPool: return "max_pool"
        case .averagePool: return "avg_pool"
        case .addPrevious: return "add_prev"
        case .fullyConnected: return "fc"
        case .tagOrSkip: return "tag/skip"
        }
    }
}

struct DlibPooling {
    var window: (rows: Int, cols: Int)
    var stride: (y: Int, x: Int)
    var padding: (y: Int, x: Int)
}

struct DlibInputLayer {
    /// "input_rgb_image_pyramid", "input_rgb_image_sized", …
    var kind: String
    /// Subtracted from each 0…255 channel before dividing by 256.
    var mean: (red: Float, green: Float, blue: Float)
    /// The pyramid tiler's padding between levels and around the whole (pyramid inputs only).
    var pyramidPadding = 10, pyramidOuterPadding = 11
    /// The fixed input size (sized inputs only).
    var rows = 0, cols = 0
}

/// loss_mmod's options: the detection windows and the non-maximum suppression test.
struct MMODOptions {
    var windows: [(width: Int, height: Int, label: String)]
    /// Boxes overlapping a kept box by more than this IoU, or covering more than `nmsCovered` of it, are dropped.
    var nmsIoU: Double
    var nmsCovered: Double
    var assumesPyramid: Bool
    var usesBoxRegression: Bool
}

enum DlibLoss {
    case mmod(MMODOptions)
    case metric(margin: Float, distanceThreshold: Float)
}

struct DlibNetworkFile {
    let path: String
    let loss: DlibLoss
    /// From the input up.
    let layers: [DlibLayer]

    init(path: String, format: String) throws {
        var reader = try DlibReader(path: path, format: format)
        _ = try reader.version("the loss layer's version", 1...1)
        loss = try Self.readLoss(&reader)
        layers = try Self.readSubnet(&reader)
        try reader.requireEnd()
        self.path = path
    }

    // MARK: - Loss

    private static func readLoss(_ r: inout DlibReader) throws -> DlibLoss {
        let name = try r.string("the loss layer's name")
        switch name {
        case "loss_mmod_":
            let version = try r.version("loss_mmod's options version", 1...4)
            var windows: [(Int, Int, String)] = []
            if version == 1 {
                windows = [(try r.unsigned("the window width"), try r.unsigned("the window height"), "")]
            } else {
                for _ in 0..<(try r.count("the number of detector windows", bytesEach: 5)) {
                    let v = try r.version("a detector window's version", 1...2)
                    windows.append(
                        (
                            try r.unsigned("the window width"), try r.unsigned("the window height"),
                            v == 2 ? try r.string("the window label") : ""
                        ))
                }
            }
            for what in ["loss per false alarm", "loss per missed target", "truth match IoU"] {
                _ = try r.real(what)
            }
            let nmsIoU = try r.real("the NMS IoU threshold")
            let nmsCovered = try r.real("the NMS covered threshold")
            for what in ["the ignore IoU threshold", "the ignore covered threshold"] { _ = try r.real(what) }
            var pyramid = true
            var regression = false
            if version >= 3 { pyramid = try r.int("assume_image_pyramid") != 0 }
            if version >= 4 {
                regression = try r.bool("use_bounding_box_regression")
                _ = try r.real("bbr_lambda")
            }
            guard !windows.isEmpty else { throw r.fail("loss_mmod has no detector window") }
            return .mmod(
                MMODOptions(
                    windows: windows, nmsIoU: nmsIoU, nmsCovered: nmsCovered,
                    assumesPyramid: pyramid, usesBoxRegression: regression))
        case "loss_metric_":
            return .metric(margin: 0.1, distanceThreshold: 0.75)
        case "loss_metric_2":
            return .metric(
                margin: try r.float("the metric margin"),
                distanceThreshold: try r.float("the distance threshold"))
        default:
            throw r.fail("the loss layer is '\(name.prefix(40))', expected loss_mmod_ or loss_metric_")
        }
    }

    // MARK: - Layers (each wrapper's version says what it is: 2 a layer, 1 a tag or skip, 3 the input's layer)

    private static func readSubnet(_ r: inout DlibReader) throws -> [DlibLayer] {
        var wrappers: [Int64] = []
        while true {
            guard wrappers.count < 10_000 else { throw r.fail("the network nests deeper than 10,000 layers") }
            let version = try r.version("a layer wrapper's version", 1...3)
            wrappers.append(version)
            if version == 3 { break }
        }
        var layers: [DlibLayer] = [.input(try readInput(&r))]
        for version in wrappers.reversed() {
            if version == 1 {
                layers.append(.tagOrSkip)
                continue
            }
            layers.append(try readDetails(&r))
            for what in [
                "this_layer_setup_called", "gradient_input_is_stale",
                "get_output_and_gradient_input_disabled",
            ] {
                _ = try r.bool(what)
            }
            _ = try r.tensor("x_grad")
            _ = try r.tensor("cached_output")
            _ = try r.tensor(version == 3 ? "grad_final" : "params_grad")
            if version == 3 { _ = try r.unsigned("sample_expansion_factor") }
        }
        return layers
    }

    private static func readInput(_ r: inout DlibReader) throws -> DlibInputLayer {
        let kind = try r.string("the input layer's name")
        guard kind.hasPrefix("input_rgb_image") else {
            throw r.fail("the input layer is '\(kind.prefix(40))', expected an RGB image input")
        }
        var input = DlibInputLayer(
            kind: kind,
            mean: (
                try r.float("avg_red"), try r.float("avg_green"),
                try r.float("avg_blue")
            ))
        switch kind {
        case "input_rgb_image_pyramid": break
        case "input_rgb_image_pyramid2":
            input.kind = "input_rgb_image_pyramid"
            input.pyramidPadding = try r.unsigned("pyramid_padding")
            input.pyramidOuterPadding = try r.unsigned("pyramid_outer_padding")
        case "input_rgb_image_sized":
            input.rows = try r.unsigned("the input rows")
            input.cols = try r.unsigned("the input columns")
        case "input_rgb_image": break
        default: throw r.fail("unknown input layer '\(kind.prefix(40))'")
        }
        return input
    }

    /// The four training-only reals con, bn and fc store (learning-rate and weight-decay multipliers).
    private static func skipTrainingMultipliers(_ r: inout DlibReader) throws {
        for what in ["learning rate multiplier", "weight decay multiplier", "bias learning rate multiplier",
                     "bias weight decay multiplier"] { _ = try r.real(what) }
    }

    private static func readDetails(_ r: inout DlibReader) throws -> DlibLayer {
        let name = try r.string("a layer's name")
        switch name {
        case "con_4", "con_5":
            let params = try r.tensor("con's parameters")
            let filters = try r.int("num_filters")
            let rows = try r.int("filter rows")
            let cols = try r.int("filter columns")
            let stride = (Int(try r.int("stride_y")), Int(try r.int("stride_x")))
            let padding = (Int(try r.int("padding_y")), Int(try r.int("padding_x")))
            let weightShape = try r.aliasShape("con's filters")
            _ = try r.aliasShape("con's biases")
            try skipTrainingMultipliers(&r)
            let useBias = name == "con_5" ? try r.bool("use_bias") : true
            guard weightShape[0] == Int(filters), weightShape[2] == Int(rows), weightShape[3] == Int(cols),
                stride.0 > 0, stride.1 > 0, padding.0 >= 0, padding.1 >= 0
            else {
                throw r.fail(
                    "con's filters \(weightShape) disagree with its \(filters) filters of \(rows)×\(cols)")
            }
            let count = weightShape.reduce(1, *)
            let weights = try params.slice(0, count, "con's filters", reader: r)
            let bias = useBias ? try params.slice(count, Int(filters), "con's biases", reader: r) : nil
            return .convolution(
                weights: weights, weightShape: weightShape, bias: bias, stride: stride, padding: padding)
        case "affine_", "affine_2":
            let params = try r.tensor("affine's parameters")
            let gamma = try r.aliasShape("affine's gamma").reduce(1, *)
            _ = try r.aliasShape("affine's beta")
            _ = try r.int("affine's mode")
            if name == "affine_2" { _ = try r.bool("affine's disabled flag") }
            return .affine(
                scale: try params.slice(0, gamma, "affine's gamma", reader: r),
                shift: try params.slice(gamma, gamma, "affine's beta", reader: r))
        case "bn_con2", "bn_fc2":
            let params = try r.tensor("bn's parameters")
            let gamma = try r.aliasShape("bn's gamma").reduce(1, *)
            _ = try r.aliasShape("bn's beta")
            for what in ["means", "invstds"] { _ = try r.tensor("bn's \(what)") }
            let runningMeans = try r.tensor("bn's running means").values
            let runningVariances = try r.tensor("bn's running variances").values
            _ = try r.unsigned("bn's num_updates")
            _ = try r.unsigned("bn's running_stats_window_size")
            try skipTrainingMultipliers(&r)
            let eps = Float(try r.real("bn's eps"))
            let g = try params.slice(0, gamma, "bn's gamma", reader: r)
            let b = try params.slice(gamma, gamma, "bn's beta", reader: r)
            guard runningMeans.count == gamma, runningVariances.count == gamma else {
                throw r.fail(
                    "bn's running statistics have \(runningMeans.count) values for \(gamma) channels")
            }
            // As dlib's affine_(bn_): scale = γ/√(var + ε), shift = β − mean·scale.
            let scale = (0..<gamma).map { g[$0] / (runningVariances[$0] + eps).squareRoot() }
            return .affine(scale: scale, shift: (0..<gamma).map { b[$0] - runningMeans[$0] * scale[$0] })
        case "relu_":
            return .relu
        case "add_prev_":
            return .addPrevious
        case "max_pool_2", "avg_pool_2":
            let window = (try r.unsigned("pool rows"), try r.unsigned("pool columns"))
            let stride = (Int(try r.int("pool stride_y")), Int(try r.int("pool stride_x")))
            let padding = (Int(try r.int("pool padding_y")), Int(try r.int("pool padding_x")))
            guard stride.0 > 0, stride.1 > 0, padding.0 >= 0, padding.1 >= 0 else {
                throw r.fail("a pool has a bad stride")
            }
            let pooling = DlibPooling(window: window, stride: stride, padding: padding)
            return name == "max_pool_2" ? .maxPool(pooling) : .averagePool(pooling)
        case "fc_2", "fc_3":
            let outputs = try r.unsigned("fc's outputs")
            let inputs = try r.unsigned("fc's inputs")
            let params = try r.tensor("fc's parameters")
            _ = try r.aliasShape("fc's weights")
            _ = try r.aliasShape("fc's biases")
            let hasBias = try r.int("fc's bias mode") == 0
            try skipTrainingMultipliers(&r)
            let useBias = name == "fc_3" ? try r.bool("use_bias") : true
            let weights = try params.slice(0, inputs * outputs, "fc's weights", reader: r)
            let bias =
                hasBias && useBias
                ? try params.slice(inputs * outputs, outputs, "fc's biases", reader: r) : nil
            return .fullyConnected(weights: weights, inputs: inputs, outputs: outputs, bias: bias)
        default:
            throw r.fail(
                "unsupported layer '\(name.prefix(40))' (read: con, affine, bn_con, relu, max/avg pool,"
                    + " add_prev, fc)")
        }
    }
}
