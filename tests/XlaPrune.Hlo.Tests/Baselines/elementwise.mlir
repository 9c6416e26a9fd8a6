module @elementwise {
  func.func public @main(%x: tensor<4xf32>, %e: tensor<4xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>) {
    %abs.1 = "stablehlo.abs"(%x) : (tensor<4xf32>) -> tensor<4xf32>
    %sqrt.2 = "stablehlo.sqrt"(%abs.1) : (tensor<4xf32>) -> tensor<4xf32>
    %tanh.3 = "stablehlo.tanh"(%sqrt.2) : (tensor<4xf32>) -> tensor<4xf32>
    %floor.4 = "stablehlo.floor"(%tanh.3) : (tensor<4xf32>) -> tensor<4xf32>
    %power.5 = "stablehlo.power"(%floor.4, %e) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %clamp.6 = "stablehlo.clamp"(%lo, %power.5, %hi) : (tensor<f32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %sign.7 = "stablehlo.sign"(%x) : (tensor<4xf32>) -> tensor<4xf32>
    func.return %clamp.6, %sign.7 : tensor<4xf32>, tensor<4xf32>
  }
}
