//! Lead times: fixed or random whole days, their exact moments and samplers.: validate.
