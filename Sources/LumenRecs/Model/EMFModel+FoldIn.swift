import LumenNumerics

extension EMFModel {
    /// Ridge fold-in of one user into the frozen item factors: [p_u, b_u] minimising
    /// Σ (r − μ − b_i − b_u − p·q_i)² + β‖[p, b_u]‖² (β scaled by the number of ratings). Returns
    /// p_u followed by b_u when the model has biases; zeros when the system is singular.
    public func foldIn(ratings: [(item: Int, value: Float)], regularization: Double) -> [Double] {
        let f = hyperparameters.factors
        let biased = hyperparameters.useBiases
        let p = f + (biased ? 1 : 0)
        var a = [Double](repeating: 0, count: p * p)
        var b = [Double](repeating: 0, count: p)
        var x = [Double](repeating: 0, count: p)
        for (item, value) in ratings {
            for k in 0..<f { x[k] = Double(itemFactors[item * f + k]) }
            if biased { x[f] = 1 }
            let target = Double(value) - (biased ? Double(globalMean + itemBias[item]) : 0)
            for i in 0..<p {
                b[i] += x[i] * target
                for j in 0...i { a[i * p + j] += x[i] * x[j] }
            }
        }
        for i in 0..<p {
            for j in 0..<i { a[j * p + i] = a[i * p + j] }
            a[i * p + i] += regularization * Double(max(ratings.count, 1))
        }
        return Cholesky.solve(a, b, n: p) ?? [Double](repeating: 0, count: p)
    }

    /// The training ratings of user `u` (dense item index, value).
    public func trainingRatings(ofUser u: Int) -> [(item: Int, value: Float)] {
        (training.userOffsets[u]..<training.userOffsets[u + 1]).map {
            (item: Int(training.userItems[$0]), value: training.userValues[$0])
        }
    }

    /// The ratings the model was trained on, as data to train on again.
    public var trainingData: RatingsData {
        var ratings: [Rating] = []
        ratings.reserveCapacity(training.userItems.count)
        for u in 0..<training.userCount {
            for k in training.userOffsets[u]..<training.userOffsets[u + 1] {
                ratings.append(Rating(user: Int32(u), item: training.userItems[k], value: training.userValues[k]))
            }
        }
        return RatingsData(users: users, items: items, ratings: ratings)
    }
}
