"""Rendered people doing the self-tests and stretches, with known joint positions and angles.

The generator (`synth.generate`) needs the heavy requirements in `synth/requirements.txt`
(torch, anny, pyrender); everything that reads the committed clips (`synth.spec`,
`synth.truth`, `synth.angles`, `synth.accuracy`) needs only numpy and the app's own packages.
"""
