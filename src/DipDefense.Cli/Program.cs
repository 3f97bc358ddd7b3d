using TorchSharp;
var x = torch.randn(2, 3);
System.Console.WriteLine(x.sum().item<float>());
